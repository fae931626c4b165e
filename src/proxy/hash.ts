// Short, stable names for per-service rules: the first characters of base32(sha256(s)), as
// kube-proxy forms its chain names (8 characters in nftables mode, 16 in iptables mode).
import { createHash } from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The first `len` base32 characters of sha256(s). */
export function shortHash(s: string, len: number): string {
  const d = createHash('sha256').update(s).digest();
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of d) {
    acc = ((acc << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < len) {
      out += B32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= len) break;
  }
  return out;
}
