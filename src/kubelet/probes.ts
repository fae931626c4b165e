// Container probes (kubelet's prober): exec, httpGet and tcpSocket, run by one worker per
// container and probe kind with initialDelaySeconds, periodSeconds, timeoutSeconds,
// successThreshold and failureThreshold (defaults 0/10/1/1/3). A result change is reported to
// the pod worker: startup success sets started, readiness sets ready, liveness failure restarts
// the container. Readiness and liveness wait for the startup probe, as in Kubernetes.
// keelson's one departure, for speed: until a startup or readiness probe first succeeds (within
// its first few periods), a failed attempt is retried after 25 ms, doubling, up to the next
// regular probe; those early attempts count only when they succeed, so a server that listens a few
// milliseconds after its container starts is Ready then, not a whole periodSeconds later, and
// thresholds, events and restarts are as Kubernetes' periodic probing decides them.
// Each attempt's output is the kubelet's wording (probe-result.ts); grpc probes: probe-grpc.ts.
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import type { KObject } from '../client/rest-client.js';
import type { Logger } from '../util/log.js';
import type { ContainerRuntime } from './runtime/types.js';
import { grpcProbe } from './probe-grpc.js';
import { KUBE_PROBE_USER_AGENT, goDialError, type ProbeResult } from './probe-result.js';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ProbeTarget {
  runtime: ContainerRuntime;
  containerId: string;
  container: KObject;
  podIP: string;
  log: Logger;
}

function resolvePort(port: unknown, container: KObject): number {
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((p: KObject) => p.name === port);
  if (named) return named.containerPort;
  const n = Number(port);
  if (!Number.isInteger(n)) throw new Error(`port "${String(port)}" not found in container ports`);
  return n;
}

/** One probe attempt, with the output the kubelet reports for it. */
export async function runProbe(probe: KObject, t: ProbeTarget): Promise<ProbeResult> {
  const timeoutSeconds = probe.timeoutSeconds ?? 1;
  const timeoutMs = timeoutSeconds * 1000;
  if (probe.exec) {
    const r = await t.runtime.exec(t.containerId, probe.exec.command ?? [], timeoutSeconds);
    return { ok: r.exitCode === 0, output: r.stdout + r.stderr };
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, t.container);
    const host = probe.tcpSocket.host || t.podIP;
    return new Promise((resolve) => {
      const s = net.connect({ host, port, timeout: timeoutMs });
      const done = (r: ProbeResult) => {
        s.destroy();
        resolve(r);
      };
      s.once('connect', () => done({ ok: true, output: '' }));
      s.once('timeout', () => done({ ok: false, output: goDialError(host, port, 'timeout') }));
      s.once('error', (e) => done({ ok: false, output: goDialError(host, port, e) }));
    });
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = resolvePort(g.port, t.container);
    const mod = g.scheme === 'HTTPS' ? https : http;
    const headers: Record<string, string> = { 'User-Agent': KUBE_PROBE_USER_AGENT, Accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    const host = g.host || t.podIP;
    const path = g.path || '/';
    const url = `${g.scheme === 'HTTPS' ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? '' : '/'}${path}`;
    return new Promise((resolve) => {
      // No keep-alive, as the kubelet's prober: each attempt is a fresh connection.
      const req = mod.request({ host, port, path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { ok: true, output: '' } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` });
      });
      req.once('timeout', () => {
        req.destroy();
        resolve({ ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      });
      req.once('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, output: `Get "${url}": ${goDialError(host, port, e)}` }));
      req.end();
    });
  }
  if (probe.grpc) return grpcProbe(t.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutSeconds);
  return { ok: true, output: '' };
}

const EARLY_FIRST_MS = 25;
/** Early attempts stop this many periods (at most EARLY_MAX_MS) after the worker started. */
const EARLY_PERIODS = 3;
const EARLY_MAX_MS = 10_000;

/** Runs one probe periodically; calls onChange(result) when the thresholded result changes. */
export class ProbeWorker {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private createdAt = 0;
  /** When early retries may begin (start, or unpausing). */
  private startedAt = 0;
  private everSucceeded = false;
  private earlyDelayMs = EARLY_FIRST_MS;
  private nextRegularAt = 0;
  /** The thresholded result: undefined until the first decision. */
  result?: boolean;
  private pausedFlag = false;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: KObject,
    private readonly target: ProbeTarget,
    private readonly onChange: (kind: ProbeKind, result: boolean) => void,
    /** Every failed attempt that counts, with its output (the kubelet's Unhealthy event). */
    private readonly onFailure?: (kind: ProbeKind, output: string) => void,
  ) {}

  start(): void {
    this.startedAt = this.createdAt = Date.now();
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  /** Paused workers (readiness/liveness before startup succeeded) do not probe; unpausing probes
   * at once (the kubelet triggers the readiness probe when the container has started). */
  get paused(): boolean {
    return this.pausedFlag;
  }

  set paused(p: boolean) {
    const resumed = this.pausedFlag && !p;
    this.pausedFlag = p;
    if (resumed && !this.stopped) {
      // initialDelaySeconds still counts from the container's start, as in Kubernetes.
      const due = this.createdAt + (this.probe.initialDelaySeconds ?? 0) * 1000;
      this.startedAt = Math.max(Date.now(), due);
      if (this.timer) clearTimeout(this.timer);
      this.schedule(Math.max(0, due - Date.now()));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number, early = false): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(early), ms);
    this.timer.unref?.();
  }

  /** Whether failed attempts are retried early (see the file's header). */
  private wantsEarly(periodMs: number): boolean {
    if (this.kind === 'liveness' || this.everSucceeded || this.paused) return false;
    return Date.now() - this.startedAt < Math.min(EARLY_MAX_MS, EARLY_PERIODS * periodMs);
  }

  /** After a failure: an early attempt if it comes before the next regular probe, else that. */
  private scheduleAfterFailure(): void {
    const now = Date.now();
    if (now + this.earlyDelayMs < this.nextRegularAt) {
      this.schedule(this.earlyDelayMs, true);
      this.earlyDelayMs *= 2;
    } else this.schedule(Math.max(0, this.nextRegularAt - now));
  }

  private async tick(early = false): Promise<void> {
    if (this.stopped) return;
    const periodMs = (this.probe.periodSeconds ?? 10) * 1000;
    if (!this.paused) {
      const { ok, output } = await runProbe(this.probe, this.target).catch((e: Error) => {
        this.target.log.debug({ err: e.message, kind: this.kind }, 'probe error');
        return { ok: false, output: e.message };
      });
      if (this.stopped) return;
      // A failed early attempt does not count: the regular probe decides.
      if (early && !ok) return this.scheduleAfterFailure();
      if (!ok) this.onFailure?.(this.kind, output);
      if (ok) this.everSucceeded = true;
      if (ok) {
        this.successes++;
        this.failures = 0;
      } else {
        this.failures++;
        this.successes = 0;
      }
      const successThreshold = this.kind === 'readiness' ? (this.probe.successThreshold ?? 1) : 1;
      const failureThreshold = this.probe.failureThreshold ?? 3;
      let next = this.result;
      if (ok && this.successes >= successThreshold) next = true;
      if (!ok && this.failures >= failureThreshold) next = false;
      if (next !== this.result) {
        this.result = next;
        this.onChange(this.kind, next!);
      }
      // A decided startup probe stops; a failed liveness probe leads to a restart (new worker).
      if (this.kind === 'startup' && this.result !== undefined) return;
      if (this.kind === 'liveness' && this.result === false) return;
      // The next regular probe is a period after this one (or after the regular one an early
      // success stood in for).
      this.nextRegularAt = Date.now() + periodMs;
      this.earlyDelayMs = EARLY_FIRST_MS;
      if (!ok && this.wantsEarly(periodMs)) return this.scheduleAfterFailure();
    }
    this.schedule(periodMs);
  }
}
