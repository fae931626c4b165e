// What one apiserver knows about tokens, for the handlers that need it (TokenRequest signs with
// the signing key; TokenReview runs tokens through the token authenticators): kept per served
// resource set (one per apiserver in the process), filled by tokenAuthenticators() at start.
import type { Resources } from '../../apiserver/resources.js';
import type { TokenAuthenticator } from '../authn/bearer.js';
import type { SigningKey, VerifyingKey } from './keys.js';

export interface ApiServerTokens {
  issuer: string;
  apiAudiences: string[];
  /** Longest lifetime of a requested token in seconds (0 = no cap). */
  maxExpirationSeconds: number;
  /** The signing key, or undefined when the apiserver has none (TokenRequest is then not served). */
  signingKey(): SigningKey | undefined;
  /** The keys that verify service account tokens (also published as the issuer's JWKS). */
  verifyingKeys(): VerifyingKey[];
  /** Every bearer-token authenticator, in the apiserver's order. */
  tokens: TokenAuthenticator[];
}

const byServer = new WeakMap<Resources, ApiServerTokens>();

export function setApiServerTokens(r: Resources, t: ApiServerTokens): void {
  byServer.set(r, t);
}

export function apiServerTokens(r: Resources): ApiServerTokens | undefined {
  return byServer.get(r);
}
