// Runs the proxy's sync no more often than `minIntervalMs` and at least every `maxIntervalMs`
// (kube-proxy's BoundedFrequencyRunner, its --min-sync-period and --sync-period): changes
// arriving in a burst coalesce into one sync, and a periodic resync repairs rules someone else
// removed. A failed sync is retried after the min interval, doubling up to the max interval
// while it keeps failing.
import { sleep } from '../util/sleep.js';

export class SyncRunner {
  private pending = true;
  private wake?: () => void;
  private lastRun = 0;
  private failures = 0;

  constructor(
    private readonly fn: () => Promise<void>,
    private readonly minIntervalMs: number,
    private readonly maxIntervalMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

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
      const gap = Math.min(this.maxIntervalMs, this.minIntervalMs * 2 ** Math.min(this.failures, 20));
      const wait = this.lastRun + gap - Date.now();
      if (wait > 0) await sleep(wait, signal);
      if (signal.aborted) return;
      this.pending = false;
      this.lastRun = Date.now();
      try {
        await this.fn();
        this.failures = 0;
      } catch (e) {
        this.failures++;
        this.onError(e as Error);
        this.pending = true;
      }
    }
  }
}
