// Scalar and enum conversions between proto-loader objects and the Store's TypeScript types.

import type { PbEnum, PbInt64 } from './types.js';

const EMPTY = Buffer.alloc(0);

/** protobufjs' decoded int64 (a Long: two 32-bit halves). */
interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

function isLong(v: object): v is LongLike {
  return typeof (v as LongLike).low === 'number' && typeof (v as LongLike).high === 'number';
}

const TWO_32 = 2 ** 32;

/** int64 (decimal string, number or Long) -> number; absent -> 0. */
export function num(v: PbInt64 | null | undefined | { toString(): string }): number {
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && isLong(v)) return (v.unsigned ? v.high >>> 0 : v.high | 0) * TWO_32 + (v.low >>> 0);
  return Number(v.toString());
}

/** int64/uint64 -> bigint; absent -> 0n. */
export function big(v: PbInt64 | null | undefined | { toString(): string }): bigint {
  if (v === undefined || v === null || v === '') return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'object' && isLong(v)) {
    const u = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
    return v.unsigned ? u : BigInt.asIntN(64, u);
  }
  return BigInt(v.toString());
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * number or bigint -> an int64 value for the encoder, exact over the full int64 range: a number
 * when it is a safe integer (protobufjs encodes those 2-3x faster than decimal strings, which it
 * parses into Longs first), a decimal string beyond (lease and member ids are 63/64-bit).
 */
export function i64(v: number | bigint | undefined): number | string {
  if (v === undefined) return 0;
  if (typeof v === 'bigint') return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString();
  return Math.trunc(v);
}

/** bytes -> Buffer (absent -> empty). Decoders hand out Buffers; a Uint8Array is viewed as one. */
export function bytes(v: Uint8Array | null | undefined): Buffer {
  // protobufjs message instances default unset bytes fields to a frozen empty array.
  if (!v || v.length === 0) return EMPTY;
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * An enum mapping between the Store's names (UPPER_CASE, as etcd's Go constants) and the loaded
 * proto's names (etcd3's CamelCase). Decoding accepts either spelling, any case, or the number.
 */
export class EnumMap<S extends string> {
  private readonly byKey = new Map<string, S>();
  constructor(
    /** Store names in proto number order. */
    private readonly storeNames: readonly S[],
    /** The loaded proto's names in the same order. */
    private readonly protoNames: readonly string[],
    private readonly what: string,
  ) {
    storeNames.forEach((s, i) => {
      this.byKey.set(norm(s), s);
      this.byKey.set(norm(protoNames[i]), s);
    });
  }
  /** proto value (name or number; absent = 0) -> Store name. Throws on an unknown value. */
  fromPb(v: PbEnum | null | undefined): S {
    if (v === undefined || v === null) return this.storeNames[0];
    const s = typeof v === 'number' ? this.storeNames[v] : this.byKey.get(norm(v));
    if (s === undefined) throw new RangeError(`unknown ${this.what} ${JSON.stringify(v)}`);
    return s;
  }
  /** Store name -> the loaded proto's name. */
  toPb(s: S | undefined): string {
    if (s === undefined) return this.protoNames[0];
    const i = this.storeNames.indexOf(s);
    if (i < 0) throw new RangeError(`unknown ${this.what} ${JSON.stringify(s)}`);
    return this.protoNames[i];
  }
  /** Store name -> the proto enum number. */
  number(s: S): number {
    return this.storeNames.indexOf(s);
  }
}

const norm = (s: string) => s.replace(/_/g, '').toUpperCase();

export const SortOrderEnum = new EnumMap(['NONE', 'ASCEND', 'DESCEND'] as const, ['None', 'Ascend', 'Descend'], 'sort order');
export const SortTargetEnum = new EnumMap(
  ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'] as const,
  ['Key', 'Version', 'Create', 'Mod', 'Value'],
  'sort target',
);
export const CompareResultEnum = new EnumMap(
  ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'] as const,
  ['Equal', 'Greater', 'Less', 'NotEqual'],
  'compare result',
);
export const CompareTargetEnum = new EnumMap(
  ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'] as const,
  ['Version', 'Create', 'Mod', 'Value', 'Lease'],
  'compare target',
);
export const FilterEnum = new EnumMap(['NOPUT', 'NODELETE'] as const, ['Noput', 'Nodelete'], 'watch filter');
export const EventTypeEnum = new EnumMap(['PUT', 'DELETE'] as const, ['Put', 'Delete'], 'event type');
export const AlarmTypeEnum = new EnumMap(['NONE', 'NOSPACE', 'CORRUPT'] as const, ['None', 'Nospace', 'Corrupt'], 'alarm type');
export const AlarmActionEnum = new EnumMap(['GET', 'ACTIVATE', 'DEACTIVATE'] as const, ['Get', 'Activate', 'Deactivate'], 'alarm action');
