// gRPC status codes and how a status travels: the grpc-status / grpc-message trailers, the message
// percent-encoded as the gRPC HTTP/2 spec asks (grpc-go's encodeGrpcMessage: bytes outside
// printable ASCII, and '%' itself, become %XX of their UTF-8 encoding).

/** The gRPC status codes (google.golang.org/grpc/codes), as the Store's errors name them. */
export { GrpcCode as Code } from '../../errors.js';

/** A call's outcome as sent to the client. */
export interface GrpcStatus {
  code: number;
  details: string;
}

export class GrpcStatusError extends Error implements GrpcStatus {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
  }
}

function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) return false;
  }
  return true;
}

/** grpc-message value for a status message. */
export function encodeGrpcMessage(msg: string): string {
  if (plain(msg)) return msg;
  let out = '';
  for (const b of Buffer.from(msg, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The trailers (or trailers-only headers) carrying a status. */
export function statusHeaders(st: GrpcStatus): Record<string, string> {
  return { 'grpc-status': String(st.code), 'grpc-message': encodeGrpcMessage(st.details) };
}
