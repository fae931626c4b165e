// Which :authority (and host) values nghttp2 refuses, and what they become for it.
//
// nghttp2 (and so node:http2) resets a request stream with PROTOCOL_ERROR when :authority or host
// has a character outside RFC 3986's authority (userinfo@host:port): unreserved, pct-encoded,
// sub-delims, ':', '@', '[' and ']'. Go's HTTP/2 server (etcd's) takes such values, and grpc-go
// sends one when dialled with a URL as its target: etcd clientv3 3.4 dials each endpoint of its
// Maintenance calls as "passthrough:///http://127.0.0.1:2379", whose :authority is then
// "http://127.0.0.1:2379".
import type { HeaderField } from './hpack.js';

const ALLOWED = /^[A-Za-z0-9\-._~%!$&'()*+,;=:@[\]]*$/;

/** Whether nghttp2 takes `v` as an :authority or host value. */
export function validAuthority(v: string): boolean {
  return ALLOWED.test(v);
}

/** `v` without a leading "scheme://" and without any path, query or fragment. */
export function stripToAuthority(v: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(v);
  const rest = m ? v.slice(m[0].length) : v;
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The value nghttp2 should see instead of `v`: undefined when `v` is fine or cannot be fixed. */
export function fixedAuthority(v: string): string | undefined {
  if (validAuthority(v)) return undefined;
  const s = stripToAuthority(v);
  return s !== v && s !== '' && validAuthority(s) ? s : undefined;
}

/** Whether a block's fields have an :authority or host value that `fixedAuthority` changes. */
export function needsAuthorityFix(fields: readonly HeaderField[]): boolean {
  return fields.some((f) => (f.name === ':authority' || f.name === 'host') && fixedAuthority(f.value) !== undefined);
}

/** The fields with each fixable :authority and host value replaced. */
export function fixAuthorityFields(fields: readonly HeaderField[]): HeaderField[] {
  return fields.map((f) => {
    if (f.name !== ':authority' && f.name !== 'host') return f;
    const v = fixedAuthority(f.value);
    return v === undefined ? f : { ...f, value: v };
  });
}
