// Compiling a schema node's x-kubernetes-validations (apiextensions-apiserver's cel.Compile):
// each rule is parsed and checked in the CRD rule environment (`self`, `oldSelf`), field
// selections on `self`/`oldSelf` (and on comprehension variables over them) are checked against
// the schema as cel-go's checker checks them against the node's declared type (`undefined field
// 'x'`), the result must be a bool, and messageExpression must compile to a string. A rule that
// references oldSelf is a transition rule. Results are cached per schema node.
import type { CelProgram, AstNode } from '../../cel/program.js';
import { CelCompileError, celIssue, compileCel } from '../../cel/program.js';
import { crdOptionalOldSelfEnvironment, crdRuleEnvironment } from '../../cel/environment.js';
import type { Schema } from '../../openapi/types.js';
import { isObject } from './json-shape.js';
import { celTypable, escapeProperty, withTypeAndObjectMeta } from './schema-cel-values.js';

export interface ValidationRule {
  rule?: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface CompiledRule {
  rule: ValidationRule;
  /** Undefined for an empty rule (nothing to run). */
  program?: CelProgram;
  error?: { type: 'Invalid' | 'Required'; detail: string };
  messageProgram?: CelProgram;
  messageError?: string;
  usesOldSelf: boolean;
}

/** What cel-go's checker knows of a value's type: enough to check field selections. */
export type Shape = { kind: 'object'; fields: Map<string, Shape> } | { kind: 'map'; value: Shape } | { kind: 'list'; item: Shape } | { kind: 'scalar'; type: string } | { kind: 'dyn' };

const DYN: Shape = { kind: 'dyn' };

function scalarType(s: Schema): string {
  switch (s.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    default:
      if (s.format === 'byte') return 'bytes';
      if (s.format === 'date' || s.format === 'date-time' || s.format === 'datetime') return 'google.protobuf.Timestamp';
      if (s.format === 'duration') return 'google.protobuf.Duration';
      return 'string';
  }
}

/** The declared type of a schema node (SchemaDeclType). */
export function shapeOf(s: Schema | undefined, isResourceRoot = false): Shape {
  if (!s || !celTypable(s)) return DYN;
  if (s['x-kubernetes-int-or-string']) return DYN;
  if (s.type === 'array') return { kind: 'list', item: shapeOf(s.items, !!s.items?.['x-kubernetes-embedded-resource']) };
  if (s.type !== 'object') return { kind: 'scalar', type: scalarType(s) };
  if (isObject(s.additionalProperties)) return { kind: 'map', value: shapeOf(s.additionalProperties, !!s.additionalProperties['x-kubernetes-embedded-resource']) };
  const node = isResourceRoot ? withTypeAndObjectMeta(s) : s;
  const fields = new Map<string, Shape>();
  for (const [k, p] of Object.entries(node.properties ?? {})) {
    const name = escapeProperty(k);
    if (name !== undefined && celTypable(p)) fields.set(name, shapeOf(p, !!p['x-kubernetes-embedded-resource']));
  }
  return { kind: 'object', fields };
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/**
 * cel-go checker issues for field selections that the declared types do not have, and the
 * declared type of the whole expression when it is a selection (dyn otherwise).
 */
export function checkSelections(ast: AstNode, source: string, self: Shape, oldSelf: Shape): { issues: string[]; type: string } {
  const issues: string[] = [];
  const visit = (n: AstNode | undefined, scope: Map<string, Shape>): Shape => {
    if (!n || typeof n !== 'object') return DYN;
    switch (n.op) {
      case 'id':
        return scope.get(n.args) ?? DYN;
      case '.':
      case '.?': {
        const operand = visit(n.args[0], scope);
        const field: string = n.args[1];
        if (operand.kind === 'object') {
          const f = operand.fields.get(field);
          if (!f) issues.push(celIssue(source, Math.max(0, n.pos - 1), `undefined field '${field}'`));
          return f ?? DYN;
        }
        if (operand.kind === 'map') return operand.value;
        if (operand.kind === 'scalar' || operand.kind === 'list') {
          issues.push(celIssue(source, Math.max(0, n.pos - 1), `type '${operand.kind === 'list' ? 'list' : operand.type}' does not support field selection`));
        }
        return DYN;
      }
      case '[]':
      case '[?]': {
        const operand = visit(n.args[0], scope);
        visit(n.args[1], scope);
        if (operand.kind === 'list') return operand.item;
        if (operand.kind === 'map') return operand.value;
        return DYN;
      }
      case 'call':
        for (const a of n.args[1] ?? []) visit(a, scope);
        return DYN;
      case 'rcall': {
        const [name, receiver, args] = n.args as [string, AstNode, AstNode[]];
        const r = visit(receiver, scope);
        if (MACROS.has(name) && args[0]?.op === 'id') {
          const inner = new Map(scope);
          inner.set(args[0].args, r.kind === 'list' ? r.item : r.kind === 'map' ? { kind: 'scalar', type: 'string' } : DYN);
          for (const a of args.slice(1)) visit(a, inner);
          return DYN;
        }
        if (name === 'bind' && receiver?.op === 'id' && receiver.args === 'cel' && args[0]?.op === 'id') {
          const inner = new Map(scope);
          inner.set(args[0].args, visit(args[1], scope));
          return visit(args[2], inner);
        }
        for (const a of args ?? []) visit(a, scope);
        return DYN;
      }
      case 'map':
        for (const [k, v] of n.args ?? []) {
          visit(k, scope);
          visit(v, scope);
        }
        return DYN;
      case 'value':
        return DYN;
      default:
        for (const a of Array.isArray(n.args) ? n.args : [n.args]) if (a && typeof a === 'object' && 'op' in a) visit(a, scope);
        return DYN;
    }
  };
  const shape = visit(ast, new Map([['self', self], ['oldSelf', oldSelf]]));
  return { issues, type: shape.kind === 'scalar' ? shape.type : shape.kind === 'dyn' ? 'dyn' : shape.kind };
}

const isBoolish = (t: string) => t === 'bool' || t === 'dyn' || /^[A-Z]$/.test(t);
const isStringish = (t: string) => t === 'string' || t === 'dyn' || /^[A-Z]$/.test(t);

function compileExpression(source: string, self: Shape, oldSelf: Shape, optionalOldSelf = false): CelProgram {
  const program = compileCel(optionalOldSelf ? crdOptionalOldSelfEnvironment() : crdRuleEnvironment(), source);
  const { issues, type } = checkSelections(program.ast, source, self, oldSelf);
  if (issues.length) throw new CelCompileError(issues.join('\n'));
  return program.resultType === 'dyn' && type !== 'dyn' ? { ...program, resultType: type } : program;
}

export function compileRule(rule: ValidationRule, self: Shape): CompiledRule {
  const out: CompiledRule = { rule, usesOldSelf: false };
  if (typeof rule.rule !== 'string' || !rule.rule.trim()) return out;
  const oldSelf = rule.optionalOldSelf ? DYN : self;
  try {
    out.program = compileExpression(rule.rule, self, oldSelf, !!rule.optionalOldSelf);
  } catch (e) {
    if (!(e instanceof CelCompileError)) throw e;
    out.error = { type: 'Invalid', detail: `compilation failed: ${e.message}` };
    return out;
  }
  if (!isBoolish(out.program.resultType)) {
    out.program = undefined;
    out.error = { type: 'Invalid', detail: 'cel expression must evaluate to a bool' };
    return out;
  }
  out.usesOldSelf = out.program.identifiers.has('oldSelf');
  if (rule.messageExpression) {
    try {
      const m = compileExpression(rule.messageExpression, self, self);
      if (isStringish(m.resultType)) out.messageProgram = m;
      else out.messageError = 'messageExpression must evaluate to a string';
    } catch (e) {
      if (!(e instanceof CelCompileError)) throw e;
      out.messageError = `messageExpression compilation failed: ${e.message}`;
    }
  }
  return out;
}

const cache = new WeakMap<Schema, { root: CompiledRule[]; node: CompiledRule[] }>();

/** The compiled x-kubernetes-validations of a schema node (cached on the schema object). */
export function compiledRules(s: Schema, isResourceRoot: boolean): CompiledRule[] {
  const rules = s['x-kubernetes-validations'];
  if (!Array.isArray(rules) || !rules.length) return [];
  let entry = cache.get(s);
  if (!entry) cache.set(s, (entry = { root: [], node: [] }));
  const key = isResourceRoot ? 'root' : 'node';
  if (!entry[key].length) {
    const self = shapeOf(s, isResourceRoot);
    entry[key] = rules.map((r: unknown) => compileRule(isObject(r) ? (r as ValidationRule) : {}, self));
  }
  return entry[key];
}
