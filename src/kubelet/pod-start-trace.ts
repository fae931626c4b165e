// Where a pod's start spends its time (the kubelet's pod startup latency tracker, as a log line):
// the pod worker marks each phase of its first start (volumes, sandbox, image, env, create,
// start, status write) and, once the status that shows the pod started is written, logs one
// debug line "pod start trace" with when the kubelet first saw the pod (epoch ms), the
// milliseconds of each phase, and the total. Only the first start of a pod is traced
// (restarts are not start latency). bench/pods/start-latency.ts --trace reads these lines.
// Divergence: Kubernetes exports histograms (kubelet_pod_start_duration_seconds); this is a
// log line for the benchmark, costing nothing unless debug logging is on.
import type { Logger } from '../util/log.js';

export class PodStartTrace {
  private readonly t0 = Date.now();
  private last = this.t0;
  private readonly phases: Record<string, number> = {};
  private finished = false;

  constructor(private readonly log: Logger) {}

  get active(): boolean {
    return !this.finished && this.log.isLevelEnabled('debug');
  }

  /** Ends the current phase under this name (phases with the same name add up). */
  mark(phase: string): void {
    if (!this.active) return;
    const now = Date.now();
    this.phases[phase] = (this.phases[phase] ?? 0) + now - this.last;
    this.last = now;
  }

  /** Records a phase that ran beside others (from `since` to now), not moving the mark. */
  took(phase: string, since: number): void {
    if (this.active) this.phases[phase] = (this.phases[phase] ?? 0) + Date.now() - since;
  }

  /** The pod's start is reported: log the trace once. */
  done(): void {
    if (!this.active) return;
    this.finished = true;
    this.log.debug({ seenAt: this.t0, phases: this.phases, totalMs: Date.now() - this.t0 }, 'pod start trace');
  }
}
