// Converts a message decoded by protobufjs into the JSON form Kubernetes' Go types would marshal
// to, following the field options in ./schema/meta.ts:
//   - scalars: dropped when zero (omitempty), unless (ptr) and present on the wire, or (keep);
//   - lists and maps: dropped when empty; elements kept as they are (apiGroups: [""] survives);
//   - messages: kept when present on the wire (Go always writes non-pointer structs, so
//     `status: {}` and `resources: {}` appear exactly as in kubectl's JSON); (inline) merges;
//   - well-known types: Time -> RFC3339 (zero Time dropped), MicroTime -> 6 fractional digits,
//     Duration -> Go duration string, Quantity -> string, IntOrString -> number or string,
//     FieldsV1 / RawExtension -> embedded JSON, ExtraValue -> string list, bytes -> base64,
//     int64 -> number.
// Plans are computed once per message type so a conversion is a tight loop over fields.
import type protobuf from 'protobufjs';

type Special =
  | 'Time' | 'MicroTime' | 'Duration' | 'Quantity' | 'IntOrString' | 'FieldsV1' | 'RawExtension' | 'ExtraValue';

const SPECIAL: Record<string, Special> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'FieldsV1',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'Quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'RawExtension',
  // []string wrapped in a message so it can be a map value; JSON is the bare list.
  'k8s.io.api.authentication.v1.ExtraValue': 'ExtraValue',
  'k8s.io.api.authorization.v1.ExtraValue': 'ExtraValue',
  'k8s.io.api.certificates.v1.ExtraValue': 'ExtraValue',
};

const enum Shape { Scalar, Message, List, Map }

interface FieldPlan {
  name: string;
  shape: Shape;
  /** protobuf scalar type of the value (of the element for lists, of the value for maps). */
  scalar: string;
  /** set for message-typed values */
  msg?: protobuf.Type;
  ptr: boolean;
  keep: boolean;
  inline: boolean;
}

interface TypePlan {
  special?: Special;
  fields: FieldPlan[];
}

/** Hook used for RawExtension bytes that hold a nested protobuf object rather than JSON. */
export type NestedDecoder = (raw: Buffer) => unknown;

const plans = new WeakMap<protobuf.Type, TypePlan>();

function planFor(type: protobuf.Type): TypePlan {
  let plan = plans.get(type);
  if (plan) return plan;
  const fullName = type.fullName.replace(/^\./, '');
  plan = { special: SPECIAL[fullName], fields: [] };
  plans.set(type, plan);
  for (const f of type.fieldsArray) {
    f.resolve();
    const o = f.options ?? {};
    const isMap = (f as unknown as { map?: boolean }).map === true;
    const msg = f.resolvedType && 'fieldsArray' in f.resolvedType ? (f.resolvedType as protobuf.Type) : undefined;
    plan.fields.push({
      name: f.name,
      shape: isMap ? Shape.Map : f.repeated ? Shape.List : msg ? Shape.Message : Shape.Scalar,
      scalar: f.type,
      msg,
      ptr: o['(ptr)'] === true,
      keep: o['(keep)'] === true,
      inline: o['(inline)'] === true,
    });
  }
  return plan;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

interface LongLike { toNumber(): number }
const isLong = (v: unknown): v is LongLike =>
  typeof v === 'object' && v !== null && typeof (v as LongLike).toNumber === 'function';

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (isLong(v)) return v.toNumber();
  if (typeof v === 'string') return Number(v);
  return 0;
}

function scalarValue(type: string, v: unknown): unknown {
  switch (type) {
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64':
      return num(v);
    case 'bytes':
      return Buffer.isBuffer(v) ? v.toString('base64') : Buffer.from(v as Uint8Array).toString('base64');
    default:
      return v;
  }
}

function zeroScalar(type: string): unknown {
  switch (type) {
    case 'string': case 'bytes': return '';
    case 'bool': return false;
    default: return 0;
  }
}

function isZeroScalar(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === undefined || v === null;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function isoSeconds(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Go's time.Duration.String() for a count of nanoseconds. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    // sub-second: ns, µs or ms with a fractional part
    const [unit, div] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = trimFraction(u / (div as number)) + unit;
  } else {
    const h = Math.floor(u / 3.6e12);
    u -= h * 3.6e12;
    const m = Math.floor(u / 6e10);
    u -= m * 6e10;
    const s = trimFraction(u / 1e9) + 's';
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFraction(x: number): string {
  return x.toFixed(9).replace(/\.?0+$/, '');
}

function specialValue(kind: Special, m: Record<string, unknown>, nested?: NestedDecoder): unknown {
  switch (kind) {
    case 'Time': {
      // A zero metav1.Time is written as an empty message; JSON would print null: dropped here.
      if (!hasOwn(m, 'seconds') && !hasOwn(m, 'nanos')) return undefined;
      return `${isoSeconds(num(m.seconds))}Z`;
    }
    case 'MicroTime': {
      if (!hasOwn(m, 'seconds') && !hasOwn(m, 'nanos')) return undefined;
      const micros = Math.floor(num(m.nanos) / 1000);
      return `${isoSeconds(num(m.seconds))}.${pad(micros, 6)}Z`;
    }
    case 'Duration':
      return formatGoDuration(num(m.duration));
    case 'Quantity':
      return typeof m.string === 'string' ? m.string : '0';
    case 'IntOrString':
      return num(m.type) === 1 ? (m.strVal ?? '') : num(m.intVal);
    case 'FieldsV1':
      return rawJson(m.Raw, nested);
    case 'RawExtension':
      return rawJson(m.raw, nested);
    case 'ExtraValue':
      return Array.isArray(m.items) ? [...(m.items as string[])] : [];
  }
}

function rawJson(raw: unknown, nested?: NestedDecoder): unknown {
  if (!raw || (raw as Uint8Array).length === 0) return null;
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
  // An embedded object encoded with the protobuf serializer carries the same magic prefix.
  if (nested && buf.length >= 4 && buf[0] === 0x6b && buf[1] === 0x38 && buf[2] === 0x73 && buf[3] === 0) {
    return nested(buf);
  }
  return JSON.parse(buf.toString('utf8'));
}

function elementValue(f: FieldPlan, v: unknown, nested?: NestedDecoder): unknown {
  if (f.msg) {
    const out = messageToJson(f.msg, v as Record<string, unknown>, nested);
    return out === undefined ? null : out;
  }
  return scalarValue(f.scalar, v);
}

/**
 * The JSON value of a decoded message: an object, or for well-known types a string/number/JSON
 * value; undefined for a zero Time (omitted by the caller).
 */
export function messageToJson(type: protobuf.Type, m: Record<string, unknown>, nested?: NestedDecoder): unknown {
  const plan = planFor(type);
  if (plan.special) return specialValue(plan.special, m, nested);
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) {
    const present = hasOwn(m, f.name);
    switch (f.shape) {
      case Shape.Scalar: {
        if (!present) {
          if (f.keep) out[f.name] = zeroScalar(f.scalar);
          break;
        }
        const v = scalarValue(f.scalar, m[f.name]);
        if (f.ptr || f.keep || !isZeroScalar(v)) out[f.name] = v;
        break;
      }
      case Shape.Message: {
        if (!present || m[f.name] == null) break;
        const v = messageToJson(f.msg as protobuf.Type, m[f.name] as Record<string, unknown>, nested);
        if (v === undefined) break;
        if (f.inline && typeof v === 'object' && v !== null) Object.assign(out, v);
        else out[f.name] = v;
        break;
      }
      case Shape.List: {
        const arr = m[f.name] as unknown[] | undefined;
        if (!arr || arr.length === 0) break;
        const res = new Array(arr.length);
        for (let i = 0; i < arr.length; i++) res[i] = elementValue(f, arr[i], nested);
        out[f.name] = res;
        break;
      }
      case Shape.Map: {
        const obj = m[f.name] as Record<string, unknown> | undefined;
        if (!obj) break;
        const keys = Object.keys(obj);
        if (keys.length === 0) break;
        const res: Record<string, unknown> = {};
        for (const k of keys) res[k] = elementValue(f, obj[k], nested);
        out[f.name] = res;
        break;
      }
    }
  }
  return out;
}
