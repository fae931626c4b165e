// Lease requests of the store (grant, revoke, keep-alive, time-to-live, list, expiry).
import type { LeaseGrantResponse, LeaseTimeToLiveResponse, ResponseHeader } from '../store.js';
import { storeError } from '../errors.js';
import { fromKeyString } from './codec.js';
import type { MvccStore } from './kv-store.js';

export async function grant(s: MvccStore, ttl: number, id: bigint): Promise<LeaseGrantResponse> {
  await s.ready();
  s.quota.checkAlarm();
  const l = s.lessor.grant(ttl, id);
  await s.be.durable();
  return { header: s.header(s.appliedRev), id: l.id, ttl: l.ttl };
}

export async function revoke(s: MvccStore, id: bigint): Promise<{ header: ResponseHeader }> {
  await s.ready();
  const l = s.lessor.lookup(id);
  if (!l) throw storeError('LeaseNotFound');
  const keys = [...l.keys].sort().map(fromKeyString);
  await s.write((env) => {
    for (const k of keys) env.t.delete(k);
    s.lessor.remove(id);
  });
  return { header: s.header(s.appliedRev) };
}

export async function keepAlive(s: MvccStore, id: bigint): Promise<{ header: ResponseHeader; id: bigint; ttl: number }> {
  await s.ready();
  const ttl = s.lessor.renew(id);
  return { header: s.header(await s.readRev()), id, ttl };
}

export async function timeToLive(s: MvccStore, id: bigint, keys?: boolean): Promise<LeaseTimeToLiveResponse> {
  await s.ready();
  const header = s.header(await s.readRev());
  const l = s.lessor.lookup(id);
  if (!l) return { header, id, ttl: -1, grantedTtl: 0, keys: [] };
  return {
    header,
    id,
    ttl: s.lessor.remaining(id),
    grantedTtl: l.ttl,
    keys: keys ? [...l.keys].sort().map(fromKeyString) : [],
  };
}

export async function leases(s: MvccStore): Promise<{ header: ResponseHeader; leases: bigint[] }> {
  await s.ready();
  return { header: s.header(await s.readRev()), leases: [...s.lessor.leases.keys()] };
}

const revoking = new WeakMap<MvccStore, Set<bigint>>();

/** Revoke every expired lease (its keys are deleted at a new revision, as delete events). */
export function expireLeases(s: MvccStore): void {
  if (s.closed || s.paused) return;
  let busy = revoking.get(s);
  if (!busy) revoking.set(s, (busy = new Set()));
  for (const id of s.lessor.expired()) {
    if (busy.has(id)) continue;
    busy.add(id);
    revoke(s, id)
      .catch(() => undefined)
      .finally(() => busy.delete(id));
  }
}
