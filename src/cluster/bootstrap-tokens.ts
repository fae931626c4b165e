// Bootstrap tokens as `kubeadm token create|list` makes and shows them: "<id>.<secret>" (6 and
// 16 of [a-z0-9]) stored as the kube-system Secret bootstrap-token-<id> of type
// bootstrap.kubernetes.io/token, allowed for authentication and for signing cluster-info, in the
// group system:bootstrappers:kubeadm:default-node-token (which kubeadm's bindings let create and
// get node client CSRs approved), expiring after the TTL (0 = never).
import { randomInt } from 'node:crypto';
import type { KObject, RestClient } from '../client/rest-client.js';
import { KUBEADM_NODE_TOKEN_GROUP } from '../auth/rbac/bootstrap/bindings.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const SECRETS = '/api/v1/namespaces/kube-system/secrets';

const random = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** A new random token "<6>.<16>". */
export const generateToken = (): string => `${random(6)}.${random(16)}`;

export interface TokenSpec {
  token?: string;
  /** Lifetime in seconds; 0 = never expires (kubeadm's default is 24h). */
  ttlSeconds: number;
  description?: string;
  usages?: string[];
  groups?: string[];
  now?: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** The Secret for a token (kubeadm's layout). */
export function tokenSecret(spec: TokenSpec & { token: string }): KObject {
  const m = TOKEN_RE.exec(spec.token);
  if (!m) throw new Error(`the bootstrap token "${spec.token}" was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
  const data: Record<string, string> = { 'token-id': m[1], 'token-secret': m[2] };
  if (spec.description) data.description = spec.description;
  if (spec.ttlSeconds > 0) data.expiration = rfc3339((spec.now ?? Date.now()) + spec.ttlSeconds * 1000);
  for (const u of spec.usages ?? ['signing', 'authentication']) data[`usage-bootstrap-${u}`] = 'true';
  const groups = spec.groups ?? [KUBEADM_NODE_TOKEN_GROUP];
  if (groups.length) data['auth-extra-groups'] = groups.join(',');
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `bootstrap-token-${m[1]}`, namespace: 'kube-system' }, type: 'bootstrap.kubernetes.io/token', stringData: data };
}

/** Creates a token (a random one unless given); returns it. */
export async function createToken(client: RestClient, spec: TokenSpec): Promise<string> {
  const token = spec.token ?? generateToken();
  await client.post(SECRETS, tokenSecret({ ...spec, token }));
  return token;
}

export interface TokenInfo {
  token: string;
  expires?: string;
  usages: string[];
  description: string;
  groups: string[];
}

const field = (s: KObject, k: string) => (s.data?.[k] ? Buffer.from(String(s.data[k]), 'base64').toString('utf8') : '');

/** The bootstrap tokens in kube-system (well-formed ones only, as kubeadm lists them). */
export async function listTokens(client: RestClient): Promise<TokenInfo[]> {
  const list = await client.get(SECRETS, { fieldSelector: 'type=bootstrap.kubernetes.io/token' });
  const out: TokenInfo[] = [];
  for (const s of (list.items ?? []) as KObject[]) {
    const token = `${field(s, 'token-id')}.${field(s, 'token-secret')}`;
    if (!TOKEN_RE.test(token)) continue;
    const usages = Object.keys(s.data ?? {})
      .filter((k) => k.startsWith('usage-bootstrap-') && field(s, k) === 'true')
      .map((k) => k.slice('usage-bootstrap-'.length));
    out.push({ token, expires: field(s, 'expiration') || undefined, usages, description: field(s, 'description'), groups: field(s, 'auth-extra-groups').split(',').filter(Boolean) });
  }
  return out;
}
