// metav1.Time's JSON form: decoding parses RFC 3339 (Go's time.Parse with layout
// "2006-01-02T15:04:05Z07:00": a fractional second is accepted after the seconds, an offset is
// converted), encoding writes UTC at whole seconds ("2026-11-23T11:20:56Z"). So a time written
// "2026-11-23T12:20:56.365+01:00" reads back as "2026-11-23T11:20:56Z". A value that does not
// parse gets Go's time.ParseError text (`parsing time "x" as "2006-01-02T15:04:05Z07:00":
// cannot parse "x" as "2006"`), which kube-apiserver returns as the decoding error.

const LAYOUT = '2006-01-02T15:04:05Z07:00';
const quote = (s: string) => JSON.stringify(s);

export class TimeParseError extends Error {}

const parseError = (value: string, layoutElem: string, valueElem: string) =>
  new TimeParseError(`parsing time ${quote(value)} as ${quote(LAYOUT)}: cannot parse ${quote(valueElem)} as ${quote(layoutElem)}`);
const rangeError = (value: string, what: string) => new TimeParseError(`parsing time ${quote(value)}: ${what} out of range`);

/** Go's getnum: one or two digits (exactly two when `fixed`). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!/^[0-9]/.test(s)) return undefined;
  if (!/^[0-9]{2}/.test(s)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

const daysIn = (month: number, year: number) => (month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);

/** Milliseconds since the epoch of an RFC 3339 time, as Go's time.Parse(time.RFC3339, s) reads it. */
export function parseRFC3339(value: string): number {
  let v = value;
  const lit = (l: string) => {
    if (!v.startsWith(l)) throw parseError(value, l, v);
    v = v.slice(l.length);
  };
  if (!/^[0-9]{4}/.test(v)) throw parseError(value, '2006', v);
  const year = Number(v.slice(0, 4));
  v = v.slice(4);
  lit('-');
  const num = (elem: string, fixed: boolean, max: number, what: string, min = 0): number => {
    const r = getnum(v, fixed);
    if (!r) throw parseError(value, elem, v);
    if (r[0] < min || r[0] > max) throw rangeError(value, what);
    v = r[1];
    return r[0];
  };
  const month = num('01', true, 12, 'month', 1);
  lit('-');
  const day = num('02', true, 31, 'day');
  lit('T');
  const hour = num('15', false, 23, 'hour');
  lit(':');
  const minute = num('04', true, 59, 'minute');
  lit(':');
  const second = num('05', true, 59, 'second');
  // A fractional second the layout does not name is accepted (and dropped by the encoding).
  const frac = /^[.,][0-9]+/.exec(v);
  if (frac) v = v.slice(frac[0].length);
  let offsetMinutes = 0;
  if (v.startsWith('Z')) v = v.slice(1);
  else {
    const m = /^([+-])([0-9]{2}):([0-9]{2})/.exec(v);
    if (!m) throw parseError(value, 'Z07:00', v);
    offsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    v = v.slice(6);
  }
  if (v.length) throw new TimeParseError(`parsing time ${quote(value)}: extra text: ${quote(v)}`);
  if (day < 1 || day > daysIn(month, year)) throw rangeError(value, 'day');
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year);
  return d.getTime() - offsetMinutes * 60_000;
}

/** The time as metav1.Time encodes it: UTC, whole seconds. */
export function formatRFC3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A metav1.Time JSON string in canonical form (throws TimeParseError). */
export function canonicalTime(value: string): string {
  return formatRFC3339(parseRFC3339(value));
}
