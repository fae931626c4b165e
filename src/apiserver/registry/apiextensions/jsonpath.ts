// The JSONPath subset CRD printer columns and selectable fields use: `.a.b`, `['a.b']`, `[0]`,
// `[*]`, `.*`, and equality filters `[?(@.type=="Ready")]` (string, number or boolean
// literal), optionally wrapped in `{...}`. Evaluation returns every match, in order.

export type JsonPathSegment =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: string[]; value: unknown };

/** Parses a JSONPath of the supported subset; undefined when it is not one. */
export function parseJsonPath(p: string): JsonPathSegment[] | undefined {
  let s = p.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  if (!s.startsWith('.') && !s.startsWith('[')) return undefined;
  const out: JsonPathSegment[] = [];
  const re = /\.([A-Za-z0-9_$-]+)|\.\*|\[\*\]|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]|\[\?\(@((?:\.[A-Za-z0-9_$-]+)+)\s*==\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|true|false)\)\]/y;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push({ kind: 'field', name: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'index', index: Number(m[2]) });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ kind: 'field', name: (m[3] ?? m[4])! });
    else if (m[5] !== undefined) {
      const lit = m[6];
      const value = lit.startsWith('"') || lit.startsWith("'") ? lit.slice(1, -1) : lit === 'true' ? true : lit === 'false' ? false : Number(lit);
      out.push({ kind: 'filter', path: m[5].slice(1).split('.'), value });
    } else out.push({ kind: 'wildcard' });
    i = re.lastIndex;
  }
  return out.length ? out : undefined;
}

/** Every value the path selects in `obj`. */
export function evaluateJsonPath(obj: unknown, segs: JsonPathSegment[]): unknown[] {
  let cur: unknown[] = [obj];
  for (const seg of segs) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      if (seg.kind === 'field') {
        if (typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, seg.name)) next.push((v as any)[seg.name]);
      } else if (seg.kind === 'index') {
        if (Array.isArray(v) && seg.index < v.length) next.push(v[seg.index]);
      } else if (seg.kind === 'wildcard') {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === 'object') next.push(...Object.values(v as object));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item;
          for (const k of seg.path) x = x && typeof x === 'object' ? (x as any)[k] : undefined;
          if (x === seg.value) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}

/** `.spec.replicas` -> 'spec.replicas' (field segments only; undefined otherwise). */
export function dottedPath(p: string): string | undefined {
  const segs = parseJsonPath(p);
  if (!segs || segs.some((s) => s.kind !== 'field')) return undefined;
  return segs.map((s) => (s as { name: string }).name).join('.');
}
