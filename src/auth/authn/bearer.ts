// Bearer tokens: how a request carries one (the Authorization header, or for WebSocket clients
// the `base64url.bearer.authorization.k8s.io.<token>` subprotocol, as kube accepts), and the
// token authenticators' shape. A token authenticator answers undefined for a token that is not
// its kind (another authenticator may know it) and throws TokenError for one of its kind that is
// invalid; as a request authenticator it turns that into 401 (kube never falls through to
// anonymous once a bearer token was presented).
import type { IncomingMessage } from 'node:http';
import type { Authenticator, UserInfo } from '../../apiserver/filters/pipeline.js';
import { ApiError } from '../../apiserver/status.js';
import { TokenError } from '../tokens/jwt.js';

export interface TokenAuthResult {
  user: UserInfo;
  /** The audiences the token is valid for among those asked (TokenReview status.audiences). */
  audiences?: string[];
}

export interface TokenAuthenticator extends Authenticator {
  /** `audiences`: what the caller accepts (default: the API audiences). */
  authenticateToken(token: string, audiences?: string[]): Promise<TokenAuthResult | undefined>;
}

export const isTokenAuthenticator = (a: Authenticator): a is TokenAuthenticator => typeof (a as Partial<TokenAuthenticator>).authenticateToken === 'function';

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
      try {
        const t = Buffer.from(p.slice(wsPrefix.length), 'base64url').toString('utf8');
        if (t) return t;
      } catch {
        /* not ours */
      }
    }
  }
  return undefined;
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** The request authenticator of a token authenticator: 401 for a token of its kind that is invalid. */
export function requestAuthenticator(authenticateToken: TokenAuthenticator['authenticateToken']): TokenAuthenticator {
  return {
    authenticateToken,
    async authenticate(req) {
      const token = bearerToken(req);
      if (!token) return undefined;
      try {
        return (await authenticateToken(token))?.user;
      } catch (e) {
        if (e instanceof TokenError) throw unauthorized();
        throw e;
      }
    },
  };
}

/**
 * Last of the token authenticators: a bearer token that none of them accepted is 401 Unauthorized
 * ("invalid bearer token" in kube), never anonymous.
 */
export const rejectUnknownBearer: Authenticator = {
  authenticate(req) {
    if (bearerToken(req)) throw unauthorized();
    return undefined;
  },
};
