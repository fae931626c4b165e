// Kubernetes protobuf request bodies (kubectl >= 1.32 typed creates, `create token`, drain's
// DeleteOptions). The apiserver calls decodeKubernetesProtobuf for requests whose Content-Type
// is application/vnd.kubernetes.protobuf and maps ProtobufDecodeError.httpStatus (400 or 415)
// to a Status response. See ./decode.ts for the contract and ./kinds.ts for the kinds covered.
export {
  decodeKubernetesProtobuf,
  isKubernetesProtobufContentType,
  ProtobufDecodeError,
  KUBERNETES_PROTOBUF_CONTENT_TYPE,
  KUBERNETES_PROTOBUF_MAGIC,
  type ProtobufDecodeErrorReason,
} from './decode.js';
export { supportedProtobufKinds } from './kinds.js';
export { encodeKubernetesProtobuf, frameKubernetesProtobuf } from './encode.js';
