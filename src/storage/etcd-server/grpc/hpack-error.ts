/** A header block that cannot be decoded (an HTTP/2 COMPRESSION_ERROR, RFC 7541 section 2.3.3 and 4.2). */
export class HpackError extends Error {
  override name = 'HpackError';
}
