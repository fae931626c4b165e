// Label selectors (apimachinery's labels.Parse): `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>1,j<2`.
// Parse errors carry Kubernetes' wording; the apiserver answers them with 400 BadRequest.

export type LabelOp = 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export type LabelSelector = LabelRequirement[];

export class SelectorParseError extends Error {}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const special = new Set(['!', '=', ',', '(', ')', '<', '>']);

type Tok = { t: 'id' | 'op' | 'lp' | 'rp' | 'comma' | 'end'; v: string };

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '(') out.push({ t: 'lp', v: c });
    else if (c === ')') out.push({ t: 'rp', v: c });
    else if (c === ',') out.push({ t: 'comma', v: c });
    else if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = s.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ t: 'op', v: two });
        i += 2;
        continue;
      }
      out.push({ t: 'op', v: c });
    } else {
      let j = i;
      while (j < s.length && !isSpace(s[j]) && !special.has(s[j])) j++;
      out.push({ t: 'id', v: s.slice(i, j) });
      i = j;
      continue;
    }
    i++;
  }
  out.push({ t: 'end', v: '' });
  return out;
}

const qualifiedName = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(k: string): void {
  const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
  if (!qualifiedName.test(k) || name.length > 63) {
    throw new SelectorParseError(
      `unable to parse requirement: values[0][${k}]: Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    );
  }
}
function checkValue(k: string, v: string): void {
  if (v.length > 63 || !labelValue.test(v)) {
    throw new SelectorParseError(
      `unable to parse requirement: values[0][${k}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  }
}

/** Parse a label selector string; '' selects everything. */
export function parseLabelSelector(s: string): LabelSelector {
  const toks = lex(s);
  const reqs: LabelRequirement[] = [];
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  while (peek().t !== 'end') {
    let t = next();
    if (t.t === 'op' && t.v === '!') {
      const k = next();
      if (k.t !== 'id') throw new SelectorParseError(`found '${k.v}', expected: identifier after '!'`);
      checkKey(k.v);
      reqs.push({ key: k.v, op: '!', values: [] });
    } else if (t.t === 'id') {
      const key = t.v;
      checkKey(key);
      const o = peek();
      if (o.t === 'end' || o.t === 'comma') {
        reqs.push({ key, op: 'exists', values: [] });
      } else if (o.t === 'op') {
        next();
        const v = peek().t === 'id' ? next().v : '';
        if (o.v === '=' || o.v === '==') {
          checkValue(key, v);
          reqs.push({ key, op: 'in', values: [v] });
        } else if (o.v === '!=') {
          checkValue(key, v);
          reqs.push({ key, op: 'notin', values: [v] });
        } else if (o.v === '<' || o.v === '>') {
          if (!/^-?\d+$/.test(v)) throw new SelectorParseError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
          reqs.push({ key, op: o.v === '>' ? 'gt' : 'lt', values: [v] });
        } else throw new SelectorParseError(`found '${o.v}', expected: '=', '!=', '==', 'in', notin'`);
      } else if (o.t === 'id' && (o.v === 'in' || o.v === 'notin')) {
        next();
        if (next().t !== 'lp') throw new SelectorParseError(`found '${toks[p - 1].v}', expected: '('`);
        const values: string[] = [];
        for (;;) {
          t = peek();
          if (t.t === 'rp') {
            next();
            break;
          }
          if (t.t === 'id') {
            checkValue(key, t.v);
            values.push(next().v);
          } else if (t.t === 'comma') {
            next();
            if (peek().t === 'comma' || peek().t === 'rp') values.push('');
          } else throw new SelectorParseError(`found '${t.v}', expected: ',', ')' or identifier`);
        }
        if (values.length === 0) values.push('');
        reqs.push({ key, op: o.v, values });
      } else throw new SelectorParseError(`found '${o.v}', expected: in, notin, =, ==, !=, gt, lt`);
    } else throw new SelectorParseError(`found '${t.v}', expected: !, identifier, or 'end of string'`);
    const sep = peek();
    if (sep.t === 'comma') {
      next();
      if (peek().t === 'end') throw new SelectorParseError(`found '', expected: identifier after ','`);
    } else if (sep.t !== 'end') throw new SelectorParseError(`found '${sep.v}', expected: ',' or 'end of string'`);
  }
  return reqs;
}

/** Whether labels satisfy every requirement. */
export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = has ? l[r.key] : undefined;
    switch (r.op) {
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        const want = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > want) : !(n < want)) return false;
        break;
      }
    }
  }
  return true;
}

/** The string form of a meta/v1 LabelSelector object (matchLabels + matchExpressions), as metav1.FormatLabelSelector. */
export function formatLabelSelectorObject(sel: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  const ml = sel.matchLabels ?? {};
  const reqs: Array<{ key: string; s: string }> = [];
  for (const k of Object.keys(ml)) reqs.push({ key: k, s: `${k}=${ml[k]}` });
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort();
    const op = e.operator;
    const s =
      op === 'In' ? `${e.key} in (${vals.join(',')})` : op === 'NotIn' ? `${e.key} notin (${vals.join(',')})` : op === 'Exists' ? e.key : op === 'DoesNotExist' ? `!${e.key}` : `${e.key} ${op} ${vals.join(',')}`;
    reqs.push({ key: e.key, s });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of reqs) parts.push(r.s);
  return parts.join(',');
}
