// The apiserver's bootstrap-token and service-account-token authenticators from its options
// (--enable-bootstrap-token-auth, --service-account-key-file, --service-account-issuer,
// --api-audiences, --service-account-signing-key-file), reading objects from its watch caches.
// Keys default to <dataDir>/pki/sa.pub and sa.key (the cluster PKI) and are read on first use.
// Also records the apiserver's token facts for TokenRequest and TokenReview (tokens/registry.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiServerOptions } from '../../apiserver/options.js';
import type { Resources } from '../../apiserver/resources.js';
import type { TokenAuthenticator } from './bearer.js';
import { tokenFileAuthenticator } from './token-file.js';
import { bootstrapTokenAuthenticator } from './bootstrap-token.js';
import { serviceAccountAuthenticator } from './service-account.js';
import { cachedGetter } from './object-getter.js';
import { readSigningKey, readVerifyingKeys, type SigningKey, type VerifyingKey } from '../tokens/keys.js';
import { setApiServerTokens } from '../tokens/registry.js';

export const apiAudiencesOf = (o: Pick<ApiServerOptions, 'apiAudiences' | 'serviceAccountIssuer'>): string[] => (o.apiAudiences.length ? o.apiAudiences : [o.serviceAccountIssuer]);

export function tokenAuthenticators(o: ApiServerOptions, resources: Resources): TokenAuthenticator[] {
  const get = cachedGetter(resources);
  const pki = (f: string) => join(o.dataDir, 'pki', f);
  let keys: VerifyingKey[] | undefined;
  const keyFiles = () => (o.serviceAccountKeyFiles.length ? o.serviceAccountKeyFiles : [pki('sa.pub')].filter(existsSync));
  const verifying = (): VerifyingKey[] => {
    if (!keys?.length) keys = readVerifyingKeys(keyFiles());
    return keys;
  };
  let signing: SigningKey | undefined;
  const signingKey = (): SigningKey | undefined => {
    const f = o.serviceAccountSigningKeyFile ?? pki('sa.key');
    if (!signing && existsSync(f)) signing = readSigningKey(f);
    return signing;
  };
  const apiAudiences = apiAudiencesOf(o);
  // Built on first use (the key files exist once the cluster PKI is ensured), rebuilt while it has no keys.
  let sa: TokenAuthenticator | undefined;
  const saLazy: TokenAuthenticator = {
    authenticateToken: (token, audiences) => {
      if (!sa || !keys?.length) sa = serviceAccountAuthenticator({ keys: verifying(), issuers: [o.serviceAccountIssuer], apiAudiences, get });
      return sa.authenticateToken(token, audiences);
    },
  };
  const mine: TokenAuthenticator[] = [...(o.enableBootstrapTokenAuth ? [bootstrapTokenAuthenticator(get)] : []), saLazy];
  setApiServerTokens(resources, {
    issuer: o.serviceAccountIssuer,
    apiAudiences,
    maxExpirationSeconds: o.serviceAccountMaxTokenExpirationSeconds,
    signingKey,
    verifyingKeys: verifying,
    tokens: [...(o.tokenAuthFile ? [tokenFileAuthenticator(o.tokenAuthFile)] : []), ...mine],
  });
  return mine;
}
