// Reading bootstrap-token Secrets (kube-system, type bootstrap.kubernetes.io/token): the
// decoded token-id/token-secret, whether a usage is allowed, and the expiration.
import type { K } from '../pod-util.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_PREFIX = 'bootstrap-token-';
const idRe = /^[a-z0-9]{6}$/;
const secretRe = /^[a-z0-9]{16}$/;

export const secretField = (s: K, k: string): string => (s.data?.[k] ? Buffer.from(String(s.data[k]), 'base64').toString('utf8') : '');

export interface BootstrapToken {
  id: string;
  secret: string;
  /** ms since the epoch, or undefined for no expiry (NaN when unparsable: treated as expired). */
  expiresAt?: number;
}

/** The token of a well-formed bootstrap-token Secret, else undefined. */
export function parseBootstrapSecret(s: K): BootstrapToken | undefined {
  if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || s.metadata?.namespace !== 'kube-system') return undefined;
  const id = secretField(s, 'token-id');
  const secret = secretField(s, 'token-secret');
  if (!idRe.test(id) || !secretRe.test(secret) || s.metadata?.name !== BOOTSTRAP_TOKEN_PREFIX + id) return undefined;
  const exp = secretField(s, 'expiration');
  return { id, secret, expiresAt: exp ? Date.parse(exp) : undefined };
}

export const isExpired = (t: BootstrapToken, now: number): boolean => t.expiresAt !== undefined && !(t.expiresAt > now);
