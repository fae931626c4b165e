// The string extensions Kubernetes' CEL environment adds to the standard ones
// (cel-go ext.Strings): charAt, replace, reverse and format. indexOf, lastIndexOf, lowerAscii,
// upperAscii, split, substring, trim and join are @marcbachmann/cel-js built-ins.
import type { Environment } from '@marcbachmann/cel-js';
import { chargeCost } from './cost.js';
import { celError, celTypeName } from './values.js';

/** `%s` of a value, as cel-go's format renders it. */
export function celToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : Number.isNaN(v) ? 'NaN' : '-Inf';
  if (Array.isArray(v)) return `[${v.map(celToString).join(', ')}]`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype) {
    const es = (v instanceof Map ? [...v.entries()] : Object.entries(v as object)).map(([k, x]) => [celToString(k), celToString(x)]);
    es.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `{${es.map(([k, x]) => `${k}: ${x}`).join(', ')}}`;
  }
  return String(v);
}

function integer(v: unknown, verb: string): bigint {
  if (typeof v === 'bigint') return v;
  if (v && typeof v === 'object' && v.constructor?.name === 'UnsignedInt') return (v as { valueOf(): bigint }).valueOf();
  throw celError(`error during formatting: ${verb} clause can only be used on integers, was given ${celTypeName(v)}`);
}

function float(v: unknown, verb: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw celError(`error during formatting: ${verb} clause can only be used on doubles, was given ${celTypeName(v)}`);
}

const special = (x: number): string | undefined => (Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : undefined);

function exponent(x: number, precision: number): string {
  const s = x.toExponential(precision);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function hex(v: unknown, upper: boolean): string {
  let s: string;
  if (typeof v === 'string') s = Buffer.from(v, 'utf8').toString('hex');
  else if (v instanceof Uint8Array) s = Buffer.from(v).toString('hex');
  else {
    const n = integer(v, 'hexadecimal');
    s = n < 0n ? '-' + (-n).toString(16) : n.toString(16);
  }
  return upper ? s.toUpperCase() : s;
}

/** cel-go's string.format(list). */
export function formatString(fmt: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    let j = i + 1;
    let precision: number | undefined;
    const pm = /^\.(\d+)/.exec(fmt.slice(j));
    if (pm) {
      precision = Number(pm[1]);
      j += pm[0].length;
    }
    const verb = fmt[j];
    if (verb === undefined) throw celError('error during formatting: unexpected end of string');
    i = j;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next >= args.length) throw celError(`error during formatting: index ${next} out of range`);
    const v = args[next++];
    switch (verb) {
      case 's':
        out += celToString(v);
        break;
      case 'd':
        out += String(integer(v, 'decimal'));
        break;
      case 'f': {
        const x = float(v, 'fixed-point');
        out += special(x) ?? x.toFixed(precision ?? 6);
        break;
      }
      case 'e': {
        const x = float(v, 'scientific');
        out += special(x) ?? exponent(x, precision ?? 6);
        break;
      }
      case 'b':
        if (typeof v === 'boolean') out += String(v);
        else {
          const n = integer(v, 'binary');
          out += n < 0n ? '-' + (-n).toString(2) : n.toString(2);
        }
        break;
      case 'o': {
        const n = integer(v, 'octal');
        out += n < 0n ? '-' + (-n).toString(8) : n.toString(8);
        break;
      }
      case 'x':
      case 'X':
        out += hex(v, verb === 'X');
        break;
      default:
        throw celError(`error during formatting: unrecognized formatting clause "${verb}"`);
    }
  }
  return out;
}

const codePoints = (s: string): string[] => [...s];

export function registerStringsLibrary(env: Environment): void {
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const cps = codePoints(s);
    const n = Number(i);
    if (n < 0 || n > cps.length) throw celError(`index out of range: ${n}`);
    return cps[n] ?? '';
  });
  env.registerFunction('string.replace(string, string): string', (s: string, from: string, to: string) => {
    chargeCost(Math.ceil(s.length / 10) + 1);
    return s.split(from).join(to);
  });
  env.registerFunction('string.replace(string, string, int): string', (s: string, from: string, to: string, n: bigint) => {
    chargeCost(Math.ceil(s.length / 10) + 1);
    const limit = Number(n);
    if (limit < 0) return s.split(from).join(to);
    const parts = s.split(from);
    if (parts.length - 1 <= limit) return parts.join(to);
    return parts.slice(0, limit + 1).join(to) + from + parts.slice(limit + 1).join(from);
  });
  env.registerFunction('string.reverse(): string', (s: string) => codePoints(s).reverse().join(''));
  env.registerFunction('string.format(list): string', (s: string, args: unknown[]) => {
    chargeCost(Math.ceil(s.length / 10) + args.length);
    return formatString(s, args);
  });
}
