// The arithmetic of a rollout (Kubernetes' deployment util): surge/unavailability bounds, the
// pod-template-hash, revisions, and how many replicas each ReplicaSet should have next.
import { createHash } from 'node:crypto';
import type { K } from '../pod-util.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const HASH_LABEL = 'pod-template-hash';

/** An int-or-percent value resolved against `total` (rounding up for surge, down for unavailable). */
export function resolveIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const val = v ?? dflt;
  if (typeof val === 'number') return val;
  const m = /^(\d+)%$/.exec(val);
  if (!m) return Number(val) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** maxSurge and maxUnavailable for a RollingUpdate deployment (both 0 is corrected to 1 unavailable). */
export function surgeAndUnavailable(d: K): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const maxSurge = resolveIntOrPercent(ru.maxSurge, replicas, true, '25%');
  let maxUnavailable = resolveIntOrPercent(ru.maxUnavailable, replicas, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte of `s` mapped into Kubernetes' alphabet (no vowels). */
export const safeEncodeString = (s: string): string => [...Buffer.from(s)].map((b) => SAFE[b % SAFE.length]).join('');

/**
 * A stable hash of the pod template (plus the collision count), rendered as Kubernetes renders
 * it: the 32-bit hash in decimal, safe-encoded (so 7-10 characters of 4-9 and b, c, d, f, like
 * `web-7c5ddbdf54`). Kubernetes hashes its Go struct dump with FNV-32a; we hash stable JSON
 * with sha256, so the value differs from a real cluster's for the same template (no client
 * relies on it).
 */
export function podTemplateHash(template: K, collisionCount = 0): string {
  const digest = createHash('sha256').update(stableStringify(template)).update(String(collisionCount)).digest();
  return safeEncodeString(String(digest.readUInt32BE(0)));
}

/** JSON with sorted keys; null and undefined members are dropped (typed structs can't tell them from absent). */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as K)[k] !== undefined && (v as K)[k] !== null)
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as K)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Template equality ignoring the pod-template-hash label (EqualIgnoreHash). */
export function templatesEqual(a: K | undefined, b: K | undefined): boolean {
  const strip = (t: K | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
    if (c.metadata?.labels && Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    return stableStringify(c);
  };
  return strip(a) === strip(b);
}

export const revisionOf = (rs: K): number => Number(rs.metadata?.annotations?.[REVISION] ?? 0) || 0;
export const replicasOf = (rs: K): number => rs.spec?.replicas ?? 0;
export const availableOf = (rs: K): number => rs.status?.availableReplicas ?? 0;

/** Sorted oldest first (creation time, then name), as Kubernetes' ReplicaSetsByCreationTimestamp. */
export function oldestFirst(list: K[]): K[] {
  return [...list].sort((a, b) => (Date.parse(a.metadata?.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata?.creationTimestamp ?? '') || 0) || String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
}

/** How many replicas the new ReplicaSet may have now under RollingUpdate (NewRSNewReplicas). */
export function newRSReplicasRolling(d: K, all: K[], newRS: K): number {
  const replicas = d.spec?.replicas ?? 1;
  const { maxSurge } = surgeAndUnavailable(d);
  const current = all.reduce((s, rs) => s + replicasOf(rs), 0);
  const maxTotal = replicas + maxSurge;
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - replicasOf(newRS));
  return replicasOf(newRS) + Math.max(0, scaleUp);
}

/**
 * How many old replicas may be scaled down now (reconcileOldReplicaSets): keep at least
 * replicas - maxUnavailable available, counting the new RS's unavailable pods against it.
 */
export function maxOldScaleDown(d: K, all: K[], newRS: K | undefined): number {
  const replicas = d.spec?.replicas ?? 1;
  const { maxUnavailable } = surgeAndUnavailable(d);
  const minAvailable = replicas - maxUnavailable;
  const total = all.reduce((s, rs) => s + replicasOf(rs), 0);
  const newUnavailable = newRS ? replicasOf(newRS) - availableOf(newRS) : 0;
  return Math.max(0, total - minAvailable - newUnavailable);
}
