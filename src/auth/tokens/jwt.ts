// Signing and verifying service-account JWTs (compact JWS) with `jose`. Verification here is
// the cryptographic part and the time claims with kube's leeway (go-jose's default, 60 s); who
// the token names and whether those objects still exist is the authenticator's business
// (auth/authn/service-account.ts). Errors carry kube's wording.
import { CompactSign, compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import type { SigningKey, VerifyingKey } from './keys.js';
import { AuthenticationError } from '../authn/errors.js';

export const LEEWAY_SECONDS = 60;

/** A token of ours that does not verify (401 for a request, status.error in a TokenReview). */
export class TokenError extends AuthenticationError {}

export async function signJwt(claims: object, key: SigningKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.key);
}

/** The unverified payload of a JWT, or undefined when the string is not a JWT at all. */
export function peekJwt(token: string): Record<string, unknown> | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    decodeProtectedHeader(token);
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Verifies the signature with any of the keys (the one named by `kid` first); returns the payload. */
export async function verifyJwt(token: string, keys: VerifyingKey[]): Promise<Record<string, unknown>> {
  const header = decodeProtectedHeader(token);
  const ordered = [...keys].sort((a, b) => Number(b.kid === header.kid) - Number(a.kid === header.kid));
  for (const k of ordered) {
    if (header.alg !== k.alg) continue;
    try {
      const r = await compactVerify(token, k.key, { algorithms: [k.alg] });
      return JSON.parse(new TextDecoder().decode(r.payload)) as Record<string, unknown>;
    } catch {
      /* next key */
    }
  }
  throw new TokenError('invalid signature');
}

/** exp / nbf / iat against now, with the leeway (kube's messages). */
export function checkTimes(claims: Record<string, unknown>, now: Date): void {
  const t = now.getTime() / 1000;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const exp = num(claims.exp);
  const nbf = num(claims.nbf);
  const iat = num(claims.iat);
  if (exp !== undefined && t > exp + LEEWAY_SECONDS) throw new TokenError('service account token has expired');
  if (nbf !== undefined && t < nbf - LEEWAY_SECONDS) throw new TokenError('service account token is not valid yet');
  if (iat !== undefined && t < iat - LEEWAY_SECONDS) throw new TokenError('service account token is issued in the future');
}
