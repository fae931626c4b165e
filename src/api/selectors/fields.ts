// Field selectors (apimachinery's fields.ParseSelector): `a=b,c==d,e!=f`, exact string compares
// on a small per-kind set of fields. `\` escapes `,`, `=`, `!` and `\` in values.
import { SelectorParseError } from './labels.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldSelector = FieldRequirement[];

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\') {
      const n = v[i + 1];
      if (n === undefined || !'\\,=!'.includes(n)) throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${n ?? ''}`);
      out += n;
      i++;
    } else if (v[i] === ',' || v[i] === '=') {
      throw new SelectorParseError(`invalid field selector: unescaped '${v[i]}' in value`);
    } else out += v[i];
  }
  return out;
}

/** Parse a field selector; '' selects everything. */
export function parseFieldSelector(s: string): FieldSelector {
  const out: FieldRequirement[] = [];
  if (s.trim() === '') return out;
  for (const part of splitUnescaped(s, ',')) {
    if (part === '') continue;
    let m: RegExpMatchArray | null;
    let op: '=' | '!=';
    let field: string;
    let raw: string;
    if ((m = part.match(/^([^=!]*)!=(.*)$/s))) {
      op = '!=';
      field = m[1];
      raw = m[2];
    } else if ((m = part.match(/^([^=!]*)==(.*)$/s)) || (m = part.match(/^([^=!]*)=(.*)$/s))) {
      op = '=';
      field = m[1];
      raw = m[2];
    } else throw new SelectorParseError(`invalid selector: '${s}'; can't understand '${part}'`);
    out.push({ field: field.trim(), op, value: unescape(raw) });
  }
  return out;
}

/** Whether the given field values satisfy every requirement (missing field = ''). */
export function matchFields(sel: FieldSelector, get: (field: string) => string | undefined): boolean {
  for (const r of sel) {
    const v = get(r.field) ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
