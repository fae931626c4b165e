// Bootstrap tokens (kube's bootstrap token authenticator, `--enable-bootstrap-token-auth`):
// `<id>.<secret>` (6 and 16 of [a-z0-9]) names the kube-system Secret `bootstrap-token-<id>` of
// type bootstrap.kubernetes.io/token. The token authenticates when that Secret holds the same
// token-id and token-secret, allows usage-bootstrap-authentication, is not being deleted and
// has not expired (`expiration`, RFC 3339). User system:bootstrap:<id>, groups
// system:bootstrappers plus the Secret's auth-extra-groups (each system:bootstrappers:...).
// As kube, a token that looks like a bootstrap token but does not match is invalid (401).
import { timingSafeEqual } from 'node:crypto';
import type { KObject } from '../../apiserver/registry/strategy.js';
import type { TokenAuthenticator } from './bearer.js';
import type { ObjectGetter } from './object-getter.js';
import { AuthenticationError } from './errors.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_PREFIX = 'bootstrap-token-';
const tokenRe = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const extraGroupRe = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

const field = (s: KObject, k: string): string => (s.data?.[k] ? Buffer.from(String(s.data[k]), 'base64').toString('utf8') : '');

export function bootstrapTokenAuthenticator(get: ObjectGetter, now: () => Date = () => new Date()): TokenAuthenticator {
  return {
    async authenticateToken(token) {
      const m = tokenRe.exec(token);
      if (!m) return undefined;
      const [, id, secret] = m;
      const name = BOOTSTRAP_TOKEN_PREFIX + id;
      const fail = (why: string): never => {
        throw new AuthenticationError(why);
      };
      const s = await get('secrets', 'kube-system', name);
      if (!s) fail(`no secret of name ${name} to match bootstrap bearer token`);
      if (s!.metadata?.deletionTimestamp) fail(`secret ${name} is being deleted`);
      if (s!.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) fail(`secret ${name} has the wrong type ${JSON.stringify(s!.type ?? '')}, expected ${JSON.stringify(BOOTSTRAP_TOKEN_SECRET_TYPE)}`);
      const want = Buffer.from(field(s!, 'token-secret'));
      const got = Buffer.from(secret);
      if (field(s!, 'token-id') !== id || want.length !== got.length || !timingSafeEqual(want, got)) fail('bootstrap token does not match the secret');
      const exp = field(s!, 'expiration');
      if (exp) {
        const t = Date.parse(exp);
        if (Number.isNaN(t) || t < now().getTime()) fail(`bootstrap token ${id} has expired`);
      }
      if (field(s!, 'usage-bootstrap-authentication') !== 'true') fail(`bootstrap token ${id} is not usable for authentication`);
      const extra = field(s!, 'auth-extra-groups')
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean);
      for (const g of extra) if (!extraGroupRe.test(g)) fail(`bootstrap group ${JSON.stringify(g)} is invalid (must match ${extraGroupRe.source})`);
      return { name: `system:bootstrap:${id}`, groups: ['system:bootstrappers', ...extra] };
    },
  };
}
