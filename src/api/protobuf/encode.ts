// Encoding helper for tests and tools: wraps an object given in its *protobuf* shape (Time as
// {seconds}, Quantity as {string}, IntOrString as {type, intVal|strVal}, bytes as Buffer) into
// the `k8s\0` + runtime.Unknown envelope, exactly as client-go frames a request body.
// (Encoding from the JSON shape is not implemented: keelson answers reads with JSON.)
import { lookupType } from './schema/root.js';
import { messageTypeFor } from './kinds.js';
import { KUBERNETES_PROTOBUF_MAGIC } from './decode.js';

/** Frames already-encoded object bytes in the magic + runtime.Unknown envelope. */
export function frameKubernetesProtobuf(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const Unknown = lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const env = Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish();
  return Buffer.concat([KUBERNETES_PROTOBUF_MAGIC, env]);
}

/** Encodes a protobuf-shaped object of the given kind and frames it (throws for unknown kinds). */
export function encodeKubernetesProtobuf(apiVersion: string, kind: string, protoShaped: Record<string, unknown>): Buffer {
  const typeName = messageTypeFor(apiVersion, kind);
  if (!typeName) throw new Error(`no protobuf schema for ${apiVersion} ${kind}`);
  const type = lookupType(typeName);
  const err = type.verify(protoShaped);
  if (err) throw new Error(`invalid ${kind}: ${err}`);
  return frameKubernetesProtobuf(apiVersion, kind, type.encode(type.fromObject(protoShaped)).finish());
}
