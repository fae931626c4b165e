// Compiling and running CEL expressions: parse + type check in an environment (errors rendered
// as cel-go renders its issues: `ERROR: <input>:1:6: undeclared reference to 'x' (in container
// '')` followed by the source line and a caret), cost instrumentation, and evaluation under a
// CostMeter.
import type { Environment } from '@marcbachmann/cel-js';
import { CostMeter, instrumentAst, withMeter } from './cost.js';

export interface CelProgram {
  readonly source: string;
  /** The checked result type ('bool', 'string', 'dyn', ...). */
  readonly resultType: string;
  /** Identifiers the expression references (variables and iteration variables). */
  readonly identifiers: ReadonlySet<string>;
  /** The parsed AST (@marcbachmann/cel-js ASTNode). */
  readonly ast: AstNode;
  evaluate(vars: Record<string, unknown>, meter?: CostMeter): unknown;
}

/** The parts of @marcbachmann/cel-js's ASTNode the callers walk. */
export interface AstNode {
  op: string;
  args: any;
  pos: number;
  start: number;
  end: number;
}

export class CelCompileError extends Error {}

/** cel-go's issue text for one error at `offset` of `source`. */
export function celIssue(source: string, offset: number, message: string): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  const col = [...source.slice(lineStart, offset)].length;
  let lineEnd = source.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = source.length;
  const snippet = source.slice(lineStart, lineEnd).replace(/\t/g, ' ');
  return `ERROR: <input>:${line}:${col + 1}: ${message}\n | ${snippet}\n | ${'.'.repeat(col)}^`;
}

/** cel-go's wording for the checker and parser errors of @marcbachmann/cel-js. */
function celGoMessage(e: { name?: string; summary?: string; message: string }, env: Environment): string {
  const msg = e.summary ?? e.message.split('\n')[0];
  if (e.name === 'ParseError') return `Syntax error: ${msg}`;
  let m = /^Unknown variable: (.+)$/.exec(msg);
  if (m) return `undeclared reference to '${m[1]}' (in container '')`;
  m = /^found no matching overload for '(?:(.+)\.)?([^.(]+)\((.*)\)'$/.exec(msg);
  if (m) {
    const known = env.getDefinitions().functions.some((f: { name: string }) => f.name === m![2]);
    if (!known) return `undeclared reference to '${m[2]}' (in container '')`;
    const args = m[1] ? [m[1], ...(m[3] ? m[3].split(', ') : [])] : m[3] ? m[3].split(', ') : [];
    return `found no matching overload for '${m[2]}' applied to '${m[1] ? `${m[1]}.` : ''}(${args.slice(m[1] ? 1 : 0).join(', ')})'`;
  }
  m = /^no such overload: (\S+) (\S+) (\S+)$/.exec(msg);
  if (m) return `found no matching overload for '_${m[2]}_' applied to '(${m[1]}, ${m[3]})'`;
  return msg;
}

function collectIdentifiers(node: unknown, out: Set<string>, seen = new Set<unknown>()): void {
  if (!node || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  const n = node as AstNode;
  if (n.op === 'id' && typeof n.args === 'string') out.add(n.args);
  const args = Array.isArray(n.args) ? n.args : [n.args];
  for (const a of args) {
    if (Array.isArray(a)) for (const x of a) collectIdentifiers(x, out, seen);
    else collectIdentifiers(a, out, seen);
  }
}

/** Parses and type-checks `source`; throws CelCompileError with cel-go style issues. */
export function compileCel(env: Environment, source: string): CelProgram {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(source);
  } catch (e) {
    const err = e as { name?: string; summary?: string; message: string; range?: { start: number } };
    throw new CelCompileError(celIssue(source, err.range?.start ?? 0, celGoMessage(err, env)));
  }
  const checked = parsed.check();
  if (!checked.valid) {
    const err = checked.error as unknown as { name?: string; summary?: string; message: string; range?: { start: number }; node?: AstNode };
    throw new CelCompileError(celIssue(source, err.range?.start ?? err.node?.pos ?? 0, celGoMessage(err, env)));
  }
  const ast = parsed.ast as unknown as AstNode;
  instrumentAst(ast);
  const identifiers = new Set<string>();
  collectIdentifiers(ast, identifiers);
  return {
    source,
    resultType: checked.type ?? 'dyn',
    identifiers,
    ast,
    evaluate(vars, meter = new CostMeter()) {
      return withMeter(meter, () => parsed(vars));
    },
  };
}

const programs = new WeakMap<Environment, Map<string, CelProgram>>();

/** compileCel with a cache per environment and source (expressions stored in objects repeat). */
export function cachedProgram(env: Environment, source: string): CelProgram {
  let m = programs.get(env);
  if (!m) programs.set(env, (m = new Map()));
  let p = m.get(source);
  if (!p) {
    p = compileCel(env, source);
    if (m.size >= 2000) m.clear();
    m.set(source, p);
  }
  return p;
}

/** A runtime error as cel-go words it (`no such key: x`, `division by zero`, ...). */
export function celErrorMessage(e: unknown): string {
  if (e instanceof CelCompileError) return e.message;
  const err = e as { summary?: string; message?: string };
  const m = err.summary ?? String(err.message ?? e).split('\n')[0];
  const oob = /^No such key: index out of bounds, index (-?\d+)/.exec(m);
  if (oob) return `index out of bounds: ${oob[1]}`;
  if (m.startsWith('No such key: ')) return `no such key: ${m.slice('No such key: '.length)}`;
  return m;
}
