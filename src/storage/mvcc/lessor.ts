// Leases, as etcd's lessor: TTLs in seconds with a minimum, ids chosen at random when not given,
// keys attached by put, expiry found by a periodic check that revokes (deletes the keys in one
// revision). Leases are persisted (id -> ttl) with their key attachments; after a restart every
// lease gets a fresh full TTL, as etcd's lessor does when it is promoted on recovery.
import { randomBytes } from 'node:crypto';
import { storeError } from '../errors.js';
import type { Backend } from './backend.js';
import { keyString, leaseKey } from './codec.js';

/** etcd's minimum TTL with default election timeout (1 s): ceil(1.5 s) = 2 s. */
export const MIN_LEASE_TTL = 2;
/** etcd's MaxLeaseTTL (seconds). */
export const MAX_LEASE_TTL = 9_000_000_000;

export interface Lease {
  id: bigint;
  ttl: number;
  /** Expiry time in ms (clock.now()). */
  expiry: number;
  /** Attached keys, as latin1 strings. */
  keys: Set<string>;
}

export class Lessor {
  readonly leases = new Map<bigint, Lease>();

  constructor(
    private readonly be: Backend,
    private readonly clock: { now(): number },
  ) {}

  /** Load leases and attachments (called at open). TTLs restart from now. */
  load(): void {
    const now = this.clock.now();
    for (const { key, value } of this.be.leases.getRange({})) {
      const id = key.readBigInt64BE(0);
      const ttl = value.readDoubleBE(0);
      this.leases.set(id, { id, ttl, expiry: now + ttl * 1000, keys: new Set() });
    }
    for (const k of this.be.lkeys.getKeys({}) as Iterable<Buffer>) {
      const l = this.leases.get(k.readBigInt64BE(0));
      if (l) l.keys.add(keyString(k.subarray(8)));
    }
  }

  lookup(id: bigint): Lease | undefined {
    return this.leases.get(id);
  }

  /** Create a lease (not yet durable: the caller waits for the backend). */
  grant(ttl: number, id: bigint): Lease {
    if (ttl > MAX_LEASE_TTL) throw storeError('LeaseTTLTooLarge');
    if (id === 0n) {
      do id = randomBytes(8).readBigInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
      while (id === 0n || this.leases.has(id));
    } else if (this.leases.has(id)) throw storeError('LeaseExist');
    const t = Math.max(ttl, MIN_LEASE_TTL);
    const l: Lease = { id, ttl: t, expiry: this.clock.now() + t * 1000, keys: new Set() };
    this.leases.set(id, l);
    const v = Buffer.allocUnsafe(8);
    v.writeDoubleBE(t, 0);
    this.be.put(this.be.leases, leaseKey(id), v);
    return l;
  }

  /** Forget a lease (its keys are deleted by the caller in the same batch). */
  remove(id: bigint): void {
    const l = this.leases.get(id);
    if (!l) return;
    this.leases.delete(id);
    this.be.remove(this.be.leases, leaseKey(id));
  }

  renew(id: bigint): number {
    const l = this.leases.get(id);
    if (!l) return 0;
    l.expiry = this.clock.now() + l.ttl * 1000;
    return l.ttl;
  }

  /** Remaining whole seconds (truncated, as etcd), or -1 for an unknown lease. */
  remaining(id: bigint): number {
    const l = this.leases.get(id);
    if (!l) return -1;
    return Math.max(0, Math.floor((l.expiry - this.clock.now()) / 1000));
  }

  attach(id: bigint, key: Buffer): void {
    const l = this.leases.get(id);
    if (!l) return;
    l.keys.add(keyString(key));
    this.be.put(this.be.lkeys, Buffer.concat([leaseKey(id), key]), Buffer.from([1]));
  }

  detach(id: bigint, key: Buffer): void {
    const l = this.leases.get(id);
    if (l) l.keys.delete(keyString(key));
    this.be.remove(this.be.lkeys, Buffer.concat([leaseKey(id), key]));
  }

  /** Leases whose expiry has passed. */
  expired(): bigint[] {
    const now = this.clock.now();
    const out: bigint[] = [];
    for (const l of this.leases.values()) if (l.expiry <= now) out.push(l.id);
    return out;
  }
}
