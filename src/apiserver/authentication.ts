// The apiserver's authenticators from its options, in kube-apiserver's order: client
// certificates, then bearer tokens (static token file, bootstrap tokens, service account
// tokens); anonymous (when --anonymous-auth) only for requests without credentials.
import type { Authenticator } from './filters/pipeline.js';
import type { ApiServerOptions } from './options.js';
import { x509Authenticator } from '../auth/authn/x509.js';
import { bearerAuthenticator, type TokenAuthenticator } from '../auth/authn/bearer.js';
import { tokenFileAuthenticator } from '../auth/authn/token-file.js';

export function buildAuthenticators(o: ApiServerOptions, extraTokens: TokenAuthenticator[] = []): Authenticator[] {
  const tokens: TokenAuthenticator[] = [];
  if (o.tokenAuthFile) tokens.push(tokenFileAuthenticator(o.tokenAuthFile));
  tokens.push(...extraTokens);
  return [x509Authenticator, bearerAuthenticator(tokens)];
}
