// Kubernetes resource quantities (apimachinery's resource.Quantity): parsing "1.5Gi", "250m",
// "1e3", canonical formatting ("1536Mi", "1500m", "1k"), comparison, arithmetic and milli-values.
// Values are held exactly as a count of nano-units (10^-9) in a bigint; finer precision rounds
// up (away from zero), as Kubernetes does.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9. */
  readonly nano: bigint;
  /** The format the value was written in; decides the canonical string. */
  readonly format: QuantityFormat;
}

export const quantityRegexp = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

export class QuantityError extends Error {
  constructor(message = `quantities must match the regular expression '${quantityRegexp}'`) {
    super(message);
  }
}

const NANO = 1_000_000_000n;
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const decimalByExp = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExp = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Division rounding away from zero. */
function divUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  if (q * b === a) return q;
  return (a < 0n) !== (b < 0n) ? q - 1n : q + 1n;
}

// Parsed quantities by their string: a cluster writes the same few ("10m", "16Mi", "1") over and
// over, and a parse costs several bigint operations. Quantities are immutable (frozen here), so
// one object is shared; the memo is cleared when it grows past a bound.
const parsed = new Map<string, Quantity>();
const MEMO_LIMIT = 4096;

/** ParseQuantity: throws QuantityError for malformed input. */
export function parseQuantity(input: string): Quantity {
  const memo = parsed.get(input);
  if (memo) return memo;
  const q = Object.freeze(parseUncached(input));
  if (parsed.size >= MEMO_LIMIT) parsed.clear();
  parsed.set(input, q);
  return q;
}

function parseUncached(input: string): Quantity {
  if (typeof input !== 'string' || input.length === 0) throw new QuantityError('quantities must match the regular expression \'' + quantityRegexp + '\'');
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(input);
  if (!m) throw new QuantityError();
  const [, sign, intPart, fracPart = '', suffix] = m;
  if (intPart === '' && fracPart === '') throw new QuantityError();
  if (input.includes('.') && !/^[+-]?[0-9]*\.[0-9]*/.test(input)) throw new QuantityError();
  let format: QuantityFormat;
  let num: bigint; // numerator
  let den: bigint;
  const digits = BigInt((intPart || '0') + fracPart);
  const fracScale = pow10(fracPart.length);
  if (suffix in binarySuffixes) {
    format = 'BinarySI';
    num = digits * (1n << BigInt(binarySuffixes[suffix]));
    den = fracScale;
  } else if (suffix in decimalSuffixes) {
    format = 'DecimalSI';
    const e = decimalSuffixes[suffix];
    num = digits * (e >= 0 ? pow10(e) : 1n);
    den = fracScale * (e < 0 ? pow10(-e) : 1n);
  } else if (/^[eE][+-]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    const e = Number(suffix.slice(1));
    if (!Number.isSafeInteger(e) || Math.abs(e) > 1000) throw new QuantityError('quantity exponent too large');
    num = digits * (e >= 0 ? pow10(e) : 1n);
    den = fracScale * (e < 0 ? pow10(-e) : 1n);
  } else {
    throw new QuantityError('unable to parse quantity\'s suffix');
  }
  let nano = divUp(num * NANO, den);
  if (sign === '-') nano = -nano;
  return { nano, format };
}

/** Like parseQuantity but returns undefined instead of throwing. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input === 'number' && Number.isFinite(input)) input = String(input);
  if (typeof input !== 'string') return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

/** MustParse. */
export function quantity(input: string | number): Quantity {
  return parseQuantity(typeof input === 'number' ? String(input) : input);
}

/** The canonical string (Quantity.String()). */
export function formatQuantity(q: Quantity): string {
  const v = q.nano;
  if (v === 0n) return '0';
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let format = q.format;
  if (format === 'BinarySI') {
    if (abs < 1024n * NANO || abs % NANO !== 0n) format = 'DecimalSI';
  }
  let out: string;
  if (format === 'BinarySI') {
    let n = abs / NANO;
    let exp = 0;
    while (exp < 60 && n % 1024n === 0n) {
      n /= 1024n;
      exp += 10;
    }
    out = n.toString() + (binaryByExp.get(exp) ?? '');
  } else {
    // mantissa * 10^exp with exp a multiple of 3 as large as possible (starting at nano).
    let n = abs;
    let exp = -9;
    while (n % 1000n === 0n) {
      n /= 1000n;
      exp += 3;
    }
    let suffix: string;
    if (format === 'DecimalSI') suffix = decimalByExp.has(exp) ? decimalByExp.get(exp)! : 'e' + exp;
    else suffix = exp === 0 ? '' : 'e' + exp;
    out = n.toString() + suffix;
  }
  return (neg ? '-' : '') + out;
}

/** Canonicalise a quantity string (throws on malformed input). */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(quantity(input));
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nano < b.nano ? -1 : a.nano > b.nano ? 1 : 0;
}

/** MilliValue(): the value in thousandths, rounded up. */
export function milliValue(q: Quantity): number {
  return Number(divUp(q.nano, 1_000_000n));
}

/** Value(): the integer value, rounded up (away from zero). */
export function quantityValue(q: Quantity): number {
  return Number(divUp(q.nano, NANO));
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nano: a.nano + b.nano, format: a.nano === 0n ? b.format : a.format };
}

export function subQuantities(a: Quantity, b: Quantity): Quantity {
  return { nano: a.nano - b.nano, format: a.nano === 0n ? b.format : a.format };
}

export function fromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(milli) * 1_000_000n, format };
}

export function fromValue(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(value) * NANO, format };
}

export const zeroQuantity: Quantity = { nano: 0n, format: 'DecimalSI' };

export function isZero(q: Quantity): boolean {
  return q.nano === 0n;
}
