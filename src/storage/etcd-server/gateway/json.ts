// The JSON of etcd's gRPC gateway: request bodies into protobuf messages and response messages into
// JSON, as grpc-gateway's JSONPb marshaler with OrigName does it for etcd 3.4.
//
// Requests: a JSON object; fields by their proto name (`keys_only`) or JSON name (`keysOnly`),
// unknown fields and nulls ignored; int64/uint64 as numbers or decimal strings, bytes as standard
// base64, enums by name or number. A wrong type is refused with Go's encoding/json words, which
// the gateway answers with InvalidArgument.
// Responses: proto field names, fields at their default value left out, 64-bit integers as
// decimal strings, 32-bit ones as numbers, bytes as base64, enums by name.
import type protobufTypes from 'protobufjs';
import { GrpcStatusError, Code } from '../grpc/status.js';

type Type = protobufTypes.Type;
type Field = protobufTypes.Field;

const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32 = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);

function bad(msg: string): GrpcStatusError {
  return new GrpcStatusError(Code.INVALID_ARGUMENT, msg);
}

/** The JSON type word Go's encoding/json uses in "cannot unmarshal X into ..." */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function goType(f: Field): string {
  if (f.resolvedType && 'values' in f.resolvedType) return 'int32';
  if (f.resolvedType) return 'map[string]json.RawMessage';
  if (f.type === 'bytes') return '[]uint8';
  if (INT64.has(f.type)) return f.type.startsWith('u') || f.type.startsWith('fixed') ? 'uint64' : 'int64';
  if (INT32.has(f.type)) return f.type.startsWith('u') || f.type.startsWith('fixed') ? 'uint32' : 'int32';
  return f.type;
}

function cannot(v: unknown, f: Field): GrpcStatusError {
  const kind = jsonKind(v);
  const shown = kind === 'number' && !Number.isInteger(v) ? `number ${String(v)}` : kind;
  return bad(`json: cannot unmarshal ${shown} into Go value of type ${goType(f)}`);
}

const B64 = /^[A-Za-z0-9+/]*$/;

/** Standard base64 with padding, as Go's base64.StdEncoding decodes it (error at the bad byte). */
export function decodeBase64(s: string): Buffer {
  const body = s.replace(/=+$/, '');
  const pad = s.length - body.length;
  for (let i = 0; i < body.length; i++) {
    if (!B64.test(body[i])) throw bad(`illegal base64 data at input byte ${i}`);
  }
  if (s.length % 4 !== 0 || pad > 2 || (pad > 0 && body.length % 4 < 2)) {
    throw bad(`illegal base64 data at input byte ${s.length - (s.length % 4 || 4)}`);
  }
  return Buffer.from(s, 'base64');
}

function scalar(f: Field, v: unknown): unknown {
  if (f.type === 'bytes') {
    if (typeof v !== 'string') throw cannot(v, f);
    return decodeBase64(v);
  }
  if (f.type === 'bool') {
    if (typeof v !== 'boolean') throw cannot(v, f);
    return v;
  }
  if (f.type === 'string') {
    if (typeof v !== 'string') throw cannot(v, f);
    return v;
  }
  if (INT64.has(f.type) || INT32.has(f.type)) {
    let n: unknown = v;
    // jsonpb accepts a quoted number: the string is read again as a JSON number.
    if (typeof v === 'string') {
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v)) {
        const c = v.length ? v[0] : '"';
        throw bad(`invalid character '${c}' looking for beginning of value`);
      }
      n = Number(v);
      if (INT64.has(f.type) && /^-?\d+$/.test(v)) return v; // exact beyond 2^53
    }
    if (typeof n !== 'number') throw cannot(v, f);
    if (!Number.isInteger(n)) throw bad(`json: cannot unmarshal number ${String(n)} into Go value of type ${goType(f)}`);
    return n;
  }
  if (f.type === 'double' || f.type === 'float') {
    if (typeof v !== 'number') throw cannot(v, f);
    return v;
  }
  return v;
}

/**
 * etcd's name of an enum value. The protos shipped in the etcd3 package spell etcd's enum values
 * in CamelCase (`NotEqual`, `Noput`); etcd's own are upper snake case (`NOT_EQUAL`, `NOPUT`).
 */
export function etcdEnumName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function enumValue(e: protobufTypes.Enum, f: Field, v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    for (const [name, n] of Object.entries(e.values)) if (etcdEnumName(name) === v) return n;
  }
  if (typeof v === 'string') throw bad(`unknown value ${JSON.stringify(v)} for enum ${enumGoName(e)}`);
  throw cannot(v, f);
}

/** etcdserverpb.RangeRequest_SortOrder for the enum SortOrder nested in RangeRequest. */
function enumGoName(e: protobufTypes.Enum): string {
  const parts: string[] = [];
  let n: protobufTypes.ReflectionObject | null = e;
  while (n && n.parent && n.parent.name) {
    parts.unshift(n.name);
    n = n.parent;
    if (n && !('fields' in n)) break;
  }
  const pkg = n && !('fields' in n) ? n.name : '';
  return `${pkg ? `${pkg}.` : ''}${parts.join('_')}`;
}

function value(f: Field, v: unknown): unknown {
  const rt = f.resolvedType;
  if (rt && 'values' in rt) return enumValue(rt, f, v);
  if (rt) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw cannot(v, f);
    return fromJson(rt as Type, v as Record<string, unknown>);
  }
  return scalar(f, v);
}

/** A request message from its JSON object. */
export function fromJson(type: Type, obj: Record<string, unknown>): protobufTypes.Message {
  const props: Record<string, unknown> = {};
  for (const f of type.fieldsArray) {
    f.resolve();
    let v = obj[f.name];
    if (v === undefined && f.name !== camel(f.name)) v = obj[camel(f.name)];
    if (v === undefined || v === null) continue;
    if (f.repeated) {
      if (!Array.isArray(v)) throw bad(`json: cannot unmarshal ${jsonKind(v)} into Go value of type []json.RawMessage`);
      props[f.name] = v.filter((x) => x !== null).map((x) => value(f, x));
    } else props[f.name] = value(f, v);
  }
  return type.fromObject(props);
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function isDefault(f: Field, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (f.repeated) return (v as unknown[]).length === 0;
  if (f.resolvedType && !('values' in f.resolvedType)) return false;
  if (typeof v === 'object' && 'isZero' in (v as object)) return (v as { isZero(): boolean }).isZero();
  if (v instanceof Uint8Array || Array.isArray(v)) return (v as ArrayLike<unknown>).length === 0; // protobufjs' bytes default is []
  return v === 0 || v === false || v === '' || v === '0';
}

function outValue(f: Field, v: unknown): unknown {
  const rt = f.resolvedType;
  if (rt && 'values' in rt) {
    const name = rt.valuesById[v as number];
    return name === undefined ? v : etcdEnumName(name);
  }
  if (rt) return toJson(rt as Type, v as protobufTypes.Message);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
  if (INT64.has(f.type)) return String(v);
  return v;
}

/** A response message as the gateway's JSON (proto names, defaults left out). */
export function toJson(type: Type, msg: protobufTypes.Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const m = msg as unknown as Record<string, unknown>;
  for (const f of type.fieldsArray) {
    f.resolve();
    // oneof members not set have their default on the prototype
    if (f.partOf && !Object.prototype.hasOwnProperty.call(m, f.name)) continue;
    const v = m[f.name];
    if (isDefault(f, v) && !(f.partOf && f.resolvedType && !('values' in f.resolvedType))) continue;
    out[f.name] = f.repeated ? (v as unknown[]).map((x) => outValue(f, x)) : outValue(f, v);
  }
  return out;
}
