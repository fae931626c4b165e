// Runs the proxy's sync no more often than `minIntervalMs` and at least every `maxIntervalMs`
// (kube-proxy's BoundedFrequencyRunner, its --min-sync-period and --sync-period): changes
// arriving in a burst coalesce into one sync, and a periodic resync repairs rules someone else
// removed. As kube-proxy's runner (burstSyncs = 2), two syncs may run back to back before the
// min interval applies (a token bucket refilled once per min interval), so a change right after
// a sync is not held back. A failed sync is retried after the min interval, doubling up to the
// max interval while it keeps failing. A run that reports it changed nothing (fn resolves to false)
// gives its token back: only syncs that reprogram the node count against the min interval, so
// endpoint churn the rules do not depend on (a not-ready endpoint appearing) cannot hold back the
// next change that matters.
import { sleep } from '../util/sleep.js';

export class SyncRunner {
  private pending = true;
  private wake?: () => void;
  private lastRun = 0;
  private failures = 0;
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly fn: () => Promise<void | boolean>,
    private readonly minIntervalMs: number,
    private readonly maxIntervalMs: number,
    private readonly onError: (err: Error) => void,
    private readonly burst = 2,
  ) {
    this.tokens = burst;
  }

  /** How long until a sync may run (token bucket; failures back off from the last run). */
  private waitMs(): number {
    const now = Date.now();
    if (this.failures > 0) return this.lastRun + Math.min(this.maxIntervalMs, this.minIntervalMs * 2 ** Math.min(this.failures, 20)) - now;
    if (this.minIntervalMs <= 0) return 0;
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) / this.minIntervalMs);
    this.refilledAt = now;
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.minIntervalMs);
  }

  /** Ask for a sync soon (within the min interval of the last one). */
  request(): void {
    this.pending = true;
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.pending) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            signal.removeEventListener('abort', done);
            this.wake = undefined;
            resolve();
          };
          const t = setTimeout(done, Math.max(0, this.lastRun + this.maxIntervalMs - Date.now()));
          this.wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
        if (signal.aborted) return;
      }
      for (let wait = this.waitMs(); wait > 0; wait = this.waitMs()) {
        await sleep(wait, signal);
        if (signal.aborted) return;
      }
      if (this.failures === 0 && this.minIntervalMs > 0) this.tokens -= 1;
      this.pending = false;
      this.lastRun = Date.now();
      try {
        const changed = await this.fn();
        this.failures = 0;
        if (changed === false && this.minIntervalMs > 0) this.tokens = Math.min(this.burst, this.tokens + 1);
      } catch (e) {
        this.failures++;
        this.onError(e as Error);
        this.pending = true;
      }
    }
  }
}
