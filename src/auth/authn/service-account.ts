// Service account tokens (kube's serviceaccount JWT authenticator). Bound tokens (issuer =
// --service-account-issuer): signature by one of the service-account keys, exp/nbf/iat with a
// 60 s leeway, an audience shared with the accepted audiences, and the service account (and the
// pod, secret or node it is bound to) still existing with the uid in the token. Legacy tokens
// (issuer "kubernetes/serviceaccount", from token Secrets): valid while the Secret exists and
// still holds this very token, and its service account exists with the same uid.
// User: system:serviceaccount:<ns>:<name>, uid of the service account, groups
// system:serviceaccounts and system:serviceaccounts:<ns>; extra pod-name/pod-uid,
// node-name/node-uid and credential-id (JTI=<jti>) as kube sets them.
// Differs from kube: no token cache (objects are read from the apiserver's watch caches), and
// no "warnafter" stale-token warnings.
import type { UserInfo } from '../../apiserver/filters/pipeline.js';
import type { KObject } from '../../apiserver/registry/strategy.js';
import type { TokenAuthenticator } from './bearer.js';
import type { ObjectGetter } from './object-getter.js';
import type { VerifyingKey } from '../tokens/keys.js';
import { checkTimes, peekJwt, TokenError, verifyJwt } from '../tokens/jwt.js';
import { LEGACY_ISSUER, type KubernetesClaim } from '../tokens/claims.js';

export interface ServiceAccountAuthOptions {
  keys: VerifyingKey[];
  /** Issuers of bound tokens (--service-account-issuer); legacy tokens are always accepted. */
  issuers: string[];
  /** The API audiences (--api-audiences; default the issuer). */
  apiAudiences: string[];
  get: ObjectGetter;
  now?: () => Date;
  /** Accept legacy secret-based tokens (default true). */
  legacy?: boolean;
}

const audiencesOf = new WeakMap<UserInfo, string[]>();

/** The audiences a service-account user's token was accepted for (TokenReview status.audiences). */
export function tokenAudiences(u: UserInfo): string[] | undefined {
  return audiencesOf.get(u);
}

/** Go's %q of a []string: ["a" "b"]. */
const goStrings = (a: string[]) => `[${a.map((s) => JSON.stringify(s)).join(' ')}]`;

export function serviceAccountUser(namespace: string, sa: KObject, extra?: Record<string, string[]>): UserInfo {
  const u: UserInfo = {
    name: `system:serviceaccount:${namespace}:${sa.metadata?.name}`,
    uid: sa.metadata?.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
  };
  if (extra && Object.keys(extra).length) u.extra = extra;
  return u;
}

export function serviceAccountAuthenticator(o: ServiceAccountAuthOptions): TokenAuthenticator {
  const now = o.now ?? (() => new Date());
  const issuers = new Set(o.issuers);
  const legacy = o.legacy ?? true;

  async function liveServiceAccount(namespace: string, name: string, uid: string | undefined): Promise<KObject> {
    const sa = await o.get('serviceaccounts', namespace, name);
    if (!sa) throw new TokenError(`serviceaccounts "${name}" not found`);
    if (sa.metadata?.deletionTimestamp) throw new TokenError(`service account ${namespace}/${name} has been deleted`);
    if (uid && sa.metadata?.uid !== uid) throw new TokenError(`service account UID (${sa.metadata?.uid}) does not match claim (${uid})`);
    return sa;
  }

  async function bound(claims: Record<string, unknown>, audiences: string[]): Promise<UserInfo> {
    checkTimes(claims, now());
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? (claims.aud as string[]) : [];
    const shared = aud.filter((a) => audiences.includes(a));
    if (!shared.length) throw new TokenError(`token audiences ${goStrings(aud)} is invalid for the target audiences ${goStrings(audiences)}`);
    const k = claims['kubernetes.io'] as KubernetesClaim | undefined;
    if (!k?.namespace || !k.serviceaccount?.name) throw new TokenError('service account token claims could not be validated due to unexpected private claim');
    if (claims.sub !== `system:serviceaccount:${k.namespace}:${k.serviceaccount.name}`) throw new TokenError('service account token claims could not be validated: sub does not match the private claims');
    const sa = await liveServiceAccount(k.namespace, k.serviceaccount.name, k.serviceaccount.uid);
    const extra: Record<string, string[]> = {};
    const t = now().getTime();
    const gone = (obj: KObject) => !!obj.metadata?.deletionTimestamp && Date.parse(obj.metadata.deletionTimestamp) <= t;
    if (k.secret) {
      const s = await o.get('secrets', k.namespace, k.secret.name);
      if (!s) throw new TokenError(`secrets "${k.secret.name}" not found`);
      if (s.metadata?.uid !== k.secret.uid) throw new TokenError(`secret UID (${s.metadata?.uid}) does not match service account secret ref claim (${k.secret.uid})`);
      if (gone(s)) throw new TokenError(`secret ${k.namespace}/${k.secret.name} has been deleted`);
    }
    if (k.pod) {
      const p = await o.get('pods', k.namespace, k.pod.name);
      if (!p) throw new TokenError(`pods "${k.pod.name}" not found`);
      if (p.metadata?.uid !== k.pod.uid) throw new TokenError(`pod UID (${p.metadata?.uid}) does not match service account pod ref claim (${k.pod.uid})`);
      if (gone(p)) throw new TokenError(`pod ${k.namespace}/${k.pod.name} has been deleted`);
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    if (k.node) {
      // A pod-bound token names its node for information; only a node-bound token requires it.
      const n = k.pod ? undefined : await o.get('nodes', '', k.node.name);
      if (!k.pod && !n) throw new TokenError(`nodes "${k.node.name}" not found`);
      if (n && n.metadata?.uid !== k.node.uid) throw new TokenError(`node UID (${n.metadata?.uid}) does not match service account node ref claim (${k.node.uid})`);
      extra['authentication.kubernetes.io/node-name'] = [k.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
    }
    if (typeof claims.jti === 'string' && claims.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
    const u = serviceAccountUser(k.namespace, sa, extra);
    audiencesOf.set(u, shared);
    return u;
  }

  async function legacyToken(claims: Record<string, unknown>, token: string, audiences: string[]): Promise<UserInfo> {
    const ns = claims['kubernetes.io/serviceaccount/namespace'];
    const name = claims['kubernetes.io/serviceaccount/service-account.name'];
    const uid = claims['kubernetes.io/serviceaccount/service-account.uid'];
    const secretName = claims['kubernetes.io/serviceaccount/secret.name'];
    if (typeof ns !== 'string' || typeof name !== 'string' || typeof secretName !== 'string' || !ns || !name || !secretName) throw new TokenError('service account token claims could not be validated: missing legacy claims');
    if (claims.sub !== `system:serviceaccount:${ns}:${name}`) throw new TokenError('service account token claims could not be validated: sub does not match the legacy claims');
    const secret = await o.get('secrets', ns, secretName);
    if (!secret || secret.metadata?.deletionTimestamp) throw new TokenError(`secrets "${secretName}" not found`);
    const stored = secret.data?.token ? Buffer.from(String(secret.data.token), 'base64').toString('utf8') : '';
    if (stored !== token) throw new TokenError(`token does not match the token in secret ${ns}/${secretName}`);
    const sa = await liveServiceAccount(ns, name, typeof uid === 'string' ? uid : undefined);
    const u = serviceAccountUser(ns, sa);
    audiencesOf.set(u, audiences);
    return u;
  }

  return {
    async authenticateToken(token, audiences) {
      const claims = peekJwt(token);
      if (!claims) return undefined;
      const iss = claims.iss;
      const isLegacy = iss === LEGACY_ISSUER && legacy;
      if (!isLegacy && !(typeof iss === 'string' && issuers.has(iss))) return undefined;
      const verified = await verifyJwt(token, o.keys);
      const want = audiences?.length ? audiences : o.apiAudiences;
      return isLegacy ? legacyToken(verified, token, want) : bound(verified, want);
    },
  };
}
