// The scheduling queue (Kubernetes' PriorityQueue): three parts.
//   active         pods ready to be tried, ordered by the QueueSort plugin (priority, then age)
//   backoff        pods that failed recently, waiting initial*2^(attempts-1) (1 s .. 10 s)
//   unschedulable  pods no node could take; moved back (to backoff or active) when a cluster
//                  event may make them schedulable (node added/changed, pod deleted, ...) or
//                  after podMaxInUnschedulablePodsDuration (5 min)
// A move request that arrives while a pod is being scheduled sends that pod to backoff, not to
// unschedulable, so the event is not lost.
import type { QueuedPodInfo } from '../framework/interface.js';
import { podKey } from '../framework/node-info.js';
import { KeyedHeap } from './heap.js';

export interface QueueOptions {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxInUnschedulableMs?: number;
  now?: () => number;
}

export class SchedulingQueue {
  private readonly active: KeyedHeap<QueuedPodInfo>;
  private readonly backoff = new Map<string, { qpi: QueuedPodInfo; timer: NodeJS.Timeout }>();
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private waiters: Array<(q: QueuedPodInfo | undefined) => void> = [];
  private closed = false;
  private moveRequestCycle = -1;
  schedulingCycle = 0;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: QueueOptions) {
    this.now = opts.now ?? Date.now;
    this.active = new KeyedHeap<QueuedPodInfo>((q) => q.key, opts.less);
    this.flushTimer = setInterval(() => this.flushUnschedulableLeftover(), 30_000);
    this.flushTimer.unref();
  }

  /** Add a new pending pod (or refresh one already queued). */
  add(pod: any): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) {
      this.inFlight.get(key)!.pod = pod;
      return;
    }
    const existing = this.active.get(key) ?? this.backoff.get(key)?.qpi ?? this.unschedulable.get(key);
    if (existing) {
      existing.pod = pod;
      if (this.unschedulable.has(key)) {
        // An update may make it schedulable: try again.
        this.unschedulable.delete(key);
        this.toActiveOrBackoff(existing);
      } else if (this.active.has(key)) this.active.push(existing);
      return;
    }
    const now = this.now();
    this.pushActive({ pod, key, initialAttemptTimestamp: now, timestamp: now, attempts: 0, unschedulablePlugins: new Set() });
  }

  /**
   * An update of a pending pod. A pod waiting in unschedulable is tried again only when something
   * other than its status (and bookkeeping metadata) changed, as kube's isPodUpdated decides: the
   * scheduler's own PodScheduled condition write must not send it round again.
   */
  update(old: any, pod: any): void {
    const key = podKey(pod);
    const waiting = this.unschedulable.get(key);
    if (waiting && !isPodUpdated(old, pod)) {
      waiting.pod = pod;
      return;
    }
    this.add(pod);
  }

  delete(pod: any): void {
    const key = podKey(pod);
    this.active.delete(key);
    const b = this.backoff.get(key);
    if (b) clearTimeout(b.timer);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  /** Wait for the next pod to schedule; undefined when closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    const q = this.active.pop();
    if (q) return Promise.resolve(this.begin(q));
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((r) => this.waiters.push(r));
  }

  private begin(q: QueuedPodInfo): QueuedPodInfo {
    q.attempts++;
    this.schedulingCycle++;
    this.inFlight.set(q.key, q);
    return q;
  }

  /** The cycle for `q` is over (scheduled, or re-queued through one of the methods below). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /** A failed attempt: back to unschedulable, or to backoff if a move was requested meanwhile. */
  addUnschedulable(q: QueuedPodInfo, cycle: number): void {
    this.inFlight.delete(q.key);
    if (this.closed) return;
    q.timestamp = this.now();
    if (this.moveRequestCycle >= cycle) this.toBackoff(q);
    else this.unschedulable.set(q.key, q);
  }

  /** An error (not a "does not fit"): retry after backoff. */
  addBackoff(q: QueuedPodInfo): void {
    this.inFlight.delete(q.key);
    if (!this.closed) this.toBackoff(q);
  }

  /** A cluster event that may make pods schedulable: move every unschedulable pod. */
  moveAllToActiveOrBackoff(): void {
    this.moveRequestCycle = this.schedulingCycle;
    for (const q of this.unschedulable.values()) this.toActiveOrBackoff(q);
    this.unschedulable.clear();
  }

  backoffDuration(q: QueuedPodInfo): number {
    const initial = this.opts.initialBackoffMs ?? 1000;
    const max = this.opts.maxBackoffMs ?? 10_000;
    return Math.min(max, initial * 2 ** Math.max(0, q.attempts - 1));
  }

  private toActiveOrBackoff(q: QueuedPodInfo): void {
    const remaining = q.timestamp + this.backoffDuration(q) - this.now();
    if (remaining > 0) this.toBackoff(q, remaining);
    else this.pushActive(q);
  }

  private toBackoff(q: QueuedPodInfo, delay = this.backoffDuration(q)): void {
    const prev = this.backoff.get(q.key);
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(() => {
      this.backoff.delete(q.key);
      this.pushActive(q);
    }, delay);
    this.backoff.set(q.key, { qpi: q, timer });
  }

  private pushActive(q: QueuedPodInfo): void {
    const w = this.waiters.shift();
    if (w) w(this.begin(q));
    else this.active.push(q);
  }

  private flushUnschedulableLeftover(): void {
    const max = this.opts.maxInUnschedulableMs ?? 5 * 60_000;
    const now = this.now();
    for (const [k, q] of this.unschedulable)
      if (now - q.timestamp > max) {
        this.unschedulable.delete(k);
        this.toActiveOrBackoff(q);
      }
  }

  /** Sizes for metrics: pending pods by queue. */
  depths(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    for (const { timer } of this.backoff.values()) clearTimeout(timer);
    this.backoff.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/** kube's isPodUpdated: the pods differ in more than resourceVersion, generation, status (except resource claim statuses), managedFields and finalizers. */
export function isPodUpdated(old: any, pod: any): boolean {
  const strip = (p: any) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, finalizers: _f, ...metadata } = p?.metadata ?? {};
    return JSON.stringify({ ...p, metadata, status: p?.status?.resourceClaimStatuses ? { resourceClaimStatuses: p.status.resourceClaimStatuses } : {} });
  };
  return strip(old) !== strip(pod);
}
