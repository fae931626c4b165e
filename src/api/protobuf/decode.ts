// Decoding of Kubernetes protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`),
// which kubectl >= 1.32 sends for typed creates (create deployment|namespace|configmap|...),
// `create token` and drain's DeleteOptions/Eviction.
//
// Wire format: the 4 bytes `k8s\0`, then a runtime.Unknown message {typeMeta{apiVersion, kind},
// raw, contentEncoding, contentType}; `raw` is the object's own message (k8s.io/api
// generated.proto field numbers). The result is the object's JSON form, as the JSON wire format
// would carry it (see ./to-json.ts for the omitempty rules), with apiVersion and kind set from
// the envelope.
//
// Partial by design: kinds without a schema here (see ./kinds.ts) are rejected with
// ProtobufDecodeError reason 'UnknownKind'; fields a newer client sends that are not in the
// schema are skipped (protobuf unknown-field semantics) rather than failing the request.
import type protobuf from 'protobufjs';
import { lookupType } from './schema/root.js';
import { messageTypeFor } from './kinds.js';
import { messageToJson } from './to-json.js';

/** The media type kubectl and client-go use for protobuf bodies. */
export const KUBERNETES_PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** The 4-byte prefix of every Kubernetes protobuf body. */
export const KUBERNETES_PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export type ProtobufDecodeErrorReason = 'BadMagic' | 'UnknownKind' | 'Malformed' | 'UnsupportedEncoding';

/**
 * Thrown for bodies keelson cannot decode. `reason` tells the apiserver which status to answer:
 * 'UnknownKind' -> 415 Unsupported Media Type (the client may retry with JSON), everything else
 * -> 400 Bad Request. `httpStatus` carries that choice.
 */
export class ProtobufDecodeError extends Error {
  readonly reason: ProtobufDecodeErrorReason;
  readonly httpStatus: 400 | 415;
  constructor(reason: ProtobufDecodeErrorReason, message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
    this.reason = reason;
    this.httpStatus = reason === 'UnknownKind' ? 415 : 400;
  }
}

/** True for `application/vnd.kubernetes.protobuf` (parameters ignored), false otherwise. */
export function isKubernetesProtobufContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0].trim().toLowerCase() === KUBERNETES_PROTOBUF_CONTENT_TYPE;
}

interface UnknownEnvelope {
  typeMeta?: { apiVersion?: string; kind?: string };
  raw?: Uint8Array;
  contentEncoding?: string;
  contentType?: string;
}

function decodeMessage(type: protobuf.Type, bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    return type.decode(bytes) as unknown as Record<string, unknown>;
  } catch (err) {
    throw new ProtobufDecodeError('Malformed', `malformed protobuf ${what}: ${(err as Error).message}`);
  }
}

/**
 * Decodes a Kubernetes protobuf body (magic + runtime.Unknown envelope) into the object's JSON
 * form, e.g. `{apiVersion: 'apps/v1', kind: 'Deployment', metadata: {...}, spec: {...}, status: {}}`.
 *
 * Throws ProtobufDecodeError on a missing/wrong magic, an envelope without kind, a kind without a
 * schema, a non-empty contentEncoding, or bytes that are not valid protobuf.
 * Stable API: called by the apiserver for requests whose Content-Type is the protobuf media type.
 */
export function decodeKubernetesProtobuf(body: Buffer | Uint8Array): Record<string, unknown> {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(KUBERNETES_PROTOBUF_MAGIC)) {
    throw new ProtobufDecodeError('BadMagic', 'protobuf body does not start with the Kubernetes magic "k8s\\x00"');
  }
  const env = decodeMessage(lookupType('k8s.io.apimachinery.pkg.runtime.Unknown'), buf.subarray(4), 'envelope') as UnknownEnvelope;
  const apiVersion = env.typeMeta?.apiVersion ?? '';
  const kind = env.typeMeta?.kind ?? '';
  if (!kind) throw new ProtobufDecodeError('Malformed', 'protobuf envelope has no kind');
  if (env.contentEncoding) {
    throw new ProtobufDecodeError('UnsupportedEncoding', `unsupported protobuf contentEncoding "${env.contentEncoding}"`);
  }
  const typeName = messageTypeFor(apiVersion, kind);
  if (!typeName) {
    throw new ProtobufDecodeError('UnknownKind', `no protobuf schema for kind "${kind}" in apiVersion "${apiVersion}"`);
  }
  const type = lookupType(typeName);
  const msg = decodeMessage(type, env.raw ?? new Uint8Array(0), `${kind} object`);
  let converted: unknown;
  try {
    converted = messageToJson(type, msg, (raw) => decodeKubernetesProtobuf(raw));
  } catch (err) {
    if (err instanceof ProtobufDecodeError) throw err;
    throw new ProtobufDecodeError('Malformed', `malformed ${kind} object: ${(err as Error).message}`);
  }
  const out: Record<string, unknown> = { kind, apiVersion };
  if (!apiVersion) delete out.apiVersion;
  Object.assign(out, converted as Record<string, unknown>);
  return out;
}
