// Bearer tokens (kube's bearertoken authenticator): the token comes from the Authorization
// header (`Bearer <token>`) or, for WebSocket clients, the
// `base64url.bearer.authorization.k8s.io.<token>` subprotocol. Each token authenticator (static
// token file, bootstrap tokens, service account tokens) answers undefined for a token it does
// not know; a token nobody accepts fails the request with 401 ("invalid bearer token"): a request
// that presented a token never falls back to anonymous, as in kube-apiserver.
import type { IncomingMessage } from 'node:http';
import type { Authenticator, UserInfo } from '../../apiserver/filters/pipeline.js';
import { AuthenticationError } from './errors.js';

export interface TokenAuthenticator {
  /**
   * The user a token names, or undefined when the token is not of this authenticator's kind;
   * throws AuthenticationError for a token of its kind that is invalid (expired, revoked...).
   * `audiences`: the audiences the caller accepts (TokenReview spec.audiences); default: the
   * API audiences.
   */
  authenticateToken(token: string, audiences?: string[]): Promise<UserInfo | undefined> | UserInfo | undefined;
}

const wsPrefix = 'base64url.bearer.authorization.k8s.io.';

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers?.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (m) return m[1];
  }
  const proto = req.headers?.['sec-websocket-protocol'];
  if (typeof proto === 'string') {
    for (const p of proto.split(',').map((s) => s.trim())) {
      if (!p.startsWith(wsPrefix)) continue;
      const t = Buffer.from(p.slice(wsPrefix.length), 'base64url').toString('utf8');
      if (t) return t;
    }
  }
  return undefined;
}

/** Runs a token through the authenticators in order; the first user wins. */
export async function authenticateToken(tokens: TokenAuthenticator[], token: string, audiences?: string[]): Promise<UserInfo> {
  const errors: string[] = [];
  for (const t of tokens) {
    try {
      const u = await t.authenticateToken(token, audiences);
      if (u) return u;
    } catch (e) {
      if (!(e instanceof AuthenticationError)) throw e;
      errors.push(e.message);
    }
  }
  throw new AuthenticationError(errors.length ? `[invalid bearer token, ${errors.join(', ')}]` : 'invalid bearer token');
}

export function bearerAuthenticator(tokens: TokenAuthenticator[]): Authenticator {
  return {
    async authenticate(req) {
      const token = bearerToken(req);
      if (token === undefined) return undefined;
      return authenticateToken(tokens, token);
    },
  };
}
