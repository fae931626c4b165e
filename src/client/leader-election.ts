// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package:
// a candidate acquires the lease when it is free or expired (judged by when *we* last saw it
// change, so clock skew between machines does not matter), renews it every retry period, and
// gives up leadership when it cannot renew within the renew deadline. Defaults are
// kube-scheduler's and kube-controller-manager's: lease 15 s, renew deadline 10 s, retry 2 s.
import { logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';
import { isAlreadyExists, isConflict, isNotFound, type KObject, type RestClient } from './rest-client.js';
import { Resources, resourcePath } from './resources.js';

export interface LeaderElectionOptions {
  namespace?: string; // default kube-system
  name: string; // the lease name, e.g. kube-scheduler
  identity: string; // this candidate, e.g. <hostname>_<uuid>
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading?(): void;
  onNewLeader?(identity: string): void;
  now?: () => number;
}

/** MicroTime as Kubernetes writes it: RFC3339 with 6 fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private observedRecord = '';
  private observedAt = 0;
  private leader = '';
  private readonly log = logger('leader-election');
  private readonly now: () => number;

  constructor(
    private readonly client: RestClient,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leader === this.opts.identity;
  }

  private get path(): string {
    return resourcePath(Resources.leases, this.opts.namespace ?? 'kube-system', this.opts.name);
  }

  /** One attempt to acquire or renew; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { identity } = this.opts;
    const durationS = Math.round((this.opts.leaseDurationMs ?? 15_000) / 1000);
    const now = this.now();
    let lease: KObject | undefined;
    try {
      lease = await this.client.get(this.path);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (!lease) {
      const ns = this.opts.namespace ?? 'kube-system';
      try {
        await this.client.post(resourcePath(Resources.leases, ns), {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.opts.name, namespace: ns },
          spec: { holderIdentity: identity, leaseDurationSeconds: durationS, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
        });
      } catch (e) {
        if (isAlreadyExists(e)) return false;
        throw e;
      }
      this.observe(identity, JSON.stringify({ identity, now }), now);
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now;
    }
    const holder: string = spec.holderIdentity ?? '';
    const expired = this.observedAt + (spec.leaseDurationSeconds ?? durationS) * 1000 <= now;
    if (holder && holder !== identity && !expired) {
      this.observe(holder, record, this.observedAt);
      return false;
    }
    const newSpec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: durationS,
      renewTime: microTime(now),
      acquireTime: holder === identity ? spec.acquireTime : microTime(now),
      leaseTransitions: holder === identity ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + (holder ? 1 : 0),
    };
    try {
      const updated = await this.client.put(this.path, { ...lease, spec: newSpec });
      this.observe(identity, JSON.stringify([identity, updated.spec?.renewTime, durationS]), now);
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  private observe(holder: string, record: string, at: number): void {
    this.observedRecord = record;
    this.observedAt = at;
    if (holder !== this.leader) {
      this.leader = holder;
      this.opts.onNewLeader?.(holder);
    }
  }

  /**
   * Campaign until the signal aborts: acquire, lead (calling onStartedLeading with a signal that
   * aborts when leadership is lost), and campaign again after losing it.
   */
  async run(signal: AbortSignal): Promise<void> {
    const retry = this.opts.retryPeriodMs ?? 2_000;
    const deadline = this.opts.renewDeadlineMs ?? 10_000;
    while (!signal.aborted) {
      // Acquire.
      while (!signal.aborted) {
        const ok = await this.tryAcquireOrRenew().catch((e) => (this.log.warn({ err: (e as Error).message }, 'acquire failed'), false));
        if (ok) break;
        await sleep(retry, signal);
      }
      if (signal.aborted) return;
      this.log.info({ lease: this.opts.name, identity: this.opts.identity }, 'became leader');
      const leading = new AbortController();
      const stop = () => leading.abort();
      signal.addEventListener('abort', stop, { once: true });
      this.opts.onStartedLeading(leading.signal);
      // Renew until we cannot within the deadline.
      let lastRenew = this.now();
      while (!signal.aborted) {
        await sleep(retry, signal);
        if (signal.aborted) break;
        const ok = await this.tryAcquireOrRenew().catch(() => false);
        if (ok) lastRenew = this.now();
        else if (this.now() - lastRenew >= deadline || (this.leader && this.leader !== this.opts.identity)) break;
      }
      signal.removeEventListener('abort', stop);
      leading.abort();
      this.log.info({ lease: this.opts.name }, 'stopped leading');
      this.opts.onStoppedLeading?.();
      if (this.leader === this.opts.identity) this.leader = '';
      if (signal.aborted) await this.release().catch(() => {});
    }
  }

  /** Give the lease up (on clean shutdown) so another candidate takes over at once. */
  async release(): Promise<void> {
    const lease = await this.client.get(this.path);
    if (lease.spec?.holderIdentity !== this.opts.identity) return;
    await this.client.put(this.path, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) } });
  }
}

