// A validation rule's fieldPath (`.spec.replicas`, `.labels['app.kubernetes.io/name']`), checked
// against the schema as kube's ValidFieldPath checks it and turned into the field path an error
// is reported at: properties become `.name`, keys of additionalProperties maps `[key]`.
import type { Schema } from '../../openapi/types.js';
import { isObject } from './json-shape.js';

const UNESCAPE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '\\': '\\' };

function tokens(p: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '.' || c === '[' || c === ']') {
      out.push(c);
      i++;
    } else if (c === "'") {
      let j = i + 1;
      while (j < p.length && !(p[j] === "'" && p[j - 1] !== '\\')) j++;
      out.push(p.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < p.length && !'.[]'.includes(p[j])) j++;
      out.push(p.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** The relative field path for `fieldPath` under `schema`, or an error text. */
export function resolveFieldPath(fieldPath: string, schema: Schema): { path: string } | { error: string } {
  const toks = tokens(fieldPath);
  let s: Schema | undefined = schema;
  let path = '';
  const step = (name: string): string | undefined => {
    if (s?.properties) {
      const next: Schema | undefined = s.properties[name];
      if (!next) return 'does not refer to a valid field';
      path = path ? `${path}.${name}` : name;
      s = next;
    } else if (isObject(s?.additionalProperties)) {
      path = `${path}[${name}]`;
      s = s.additionalProperties as Schema;
    } else return 'does not refer to a valid field';
    return undefined;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t === '.') {
      const name = toks[++i];
      if (name === undefined) return { error: 'unexpected end of JSON path' };
      const e = step(name);
      if (e) return { error: e };
    } else if (t === '[') {
      const q = toks[++i];
      if (q === undefined) return { error: 'unexpected end of JSON path' };
      if (q.length < 2 || q[0] !== "'" || q[q.length - 1] !== "'") return { error: `expected single quoted string but got ${q}` };
      let bad = '';
      const key = q.slice(1, -1).replace(/\\./g, (m) => UNESCAPE[m[1]] ?? ((bad ||= m), ''));
      if (bad) return { error: `invalid string literal: invalid escape char ${bad}` };
      const e = step(key);
      if (e) return { error: e };
      if (toks[++i] !== ']') return { error: toks[i] === undefined ? 'unexpected end of JSON path' : `expected ] but got ${toks[i]}` };
    } else return { error: `expected [ or . but got: ${t}` };
  }
  return { path };
}
