// The service proxy (kube-proxy): shared informers over Services and EndpointSlices; every event
// only asks for a sync, and a sync recomputes all service ports from the caches and hands them
// to the proxier of the chosen mode (level-triggered, rate-limited by SyncRunner).
// Services labelled service.kubernetes.io/service-proxy-name (meant for another proxy) and
// headless services are skipped, as kube-proxy skips them.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Logger } from 'pino';
import { SharedInformerFactory } from '../client/informer.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest-client.js';
import { logger } from '../util/log.js';
import { proxyMetrics } from './metrics.js';
import type { Proxier } from './proxier.js';
import { buildServicePorts, type ServicePort } from './service-port.js';
import { SyncRunner } from './sync-runner.js';

export interface ServiceProxyOptions {
  client: RestClient;
  proxier: Proxier;
  /** This node's name (EndpointSlice nodeName of local endpoints). */
  nodeName: string;
  /** --min-sync-period (kube-proxy default 1s). */
  minSyncPeriodMs?: number;
  /** --sync-period (kube-proxy default 30s). */
  syncPeriodMs?: number;
  log?: Logger;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export class ServiceProxy {
  readonly ready: Promise<void>;
  /** When the last successful sync finished (ms since epoch), 0 before the first. */
  lastSyncAt = 0;
  lastError?: string;
  ports: ServicePort[] = [];
  private readyResolve!: () => void;
  /** The service ports last programmed (JSON), to skip syncs that would change nothing. */
  private programmed?: string;
  private readonly log: Logger;
  private readonly runner: SyncRunner;
  private informers?: SharedInformerFactory;
  private synced = false;

  constructor(private readonly opts: ServiceProxyOptions) {
    this.log = opts.log ?? logger('proxy');
    this.ready = new Promise((r) => (this.readyResolve = r));
    this.runner = new SyncRunner(
      () => this.sync(),
      opts.minSyncPeriodMs ?? 1000,
      opts.syncPeriodMs ?? 30_000,
      (err) => {
        this.lastError = err.message;
        proxyMetrics.syncFailures.inc();
        this.log.error({ err: err.message, mode: opts.proxier.mode }, 'sync of proxy rules failed');
      },
    );
  }

  get syncPeriodMs(): number {
    return this.opts.syncPeriodMs ?? 30_000;
  }

  /** Run until the signal aborts, then remove what the proxier created. */
  async start(signal: AbortSignal): Promise<void> {
    const informers = (this.informers = new SharedInformerFactory(this.opts.client));
    const services = informers.informerFor<Service & { metadata: object }>(Resources.services);
    const slices = informers.informerFor<EndpointSlice & { metadata: object }>(Resources.endpointslices);
    services.addEventHandler({ onAdd: () => this.changed('svc'), onUpdate: (a, b) => a !== b && this.changed('svc'), onDelete: () => this.changed('svc') });
    slices.addEventHandler({ onAdd: () => this.changed('eps'), onUpdate: (a, b) => a !== b && this.changed('eps'), onDelete: () => this.changed('eps') });
    informers.start(signal);
    await Promise.race([informers.waitForSync(), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    if (signal.aborted) return;
    this.synced = true;
    this.log.info({ mode: this.opts.proxier.mode, node: this.opts.nodeName }, 'caches synced, programming services');
    this.runner.request();
    try {
      await this.runner.run(signal);
    } finally {
      await this.opts.proxier.cleanup().catch((e) => this.log.warn({ err: (e as Error).message }, 'cleanup failed'));
      this.log.info({ mode: this.opts.proxier.mode }, 'proxy stopped, rules removed');
    }
  }

  private changed(kind: 'svc' | 'eps'): void {
    (kind === 'svc' ? proxyMetrics.serviceChanges : proxyMetrics.endpointChanges).inc();
    if (this.synced) this.runner.request();
  }

  /** One sync; false when the ports equal those programmed by a recent sync (nothing to do). */
  private async sync(): Promise<boolean> {
    const inf = this.informers!;
    const services = inf
      .informerFor<Service & { metadata: object }>(Resources.services)
      .list()
      .filter((s) => !s.metadata?.labels?.[PROXY_NAME_LABEL] && !s.metadata?.labels?.[HEADLESS_LABEL]);
    const byService = new Map<string, EndpointSlice[]>();
    for (const s of inf.informerFor<EndpointSlice & { metadata: object }>(Resources.endpointslices).list()) {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      const key = `${s.metadata?.namespace}/${svc}`;
      const list = byService.get(key);
      if (list) list.push(s);
      else byService.set(key, [s]);
    }
    const ports = buildServicePorts(services, byService, this.opts.nodeName);
    // Unchanged ports (say a slice only gained a not-ready endpoint) need no reprogramming, except
    // for the periodic resync that repairs rules someone else changed.
    const fingerprint = JSON.stringify(ports);
    if (fingerprint === this.programmed && Date.now() - this.lastSyncAt < this.syncPeriodMs / 2) return false;
    this.programmed = undefined; // a failed sync leaves the node in an unknown state
    const t0 = performance.now();
    const r = await this.opts.proxier.sync(ports);
    const secs = (performance.now() - t0) / 1000;
    this.ports = ports;
    this.programmed = fingerprint;
    this.lastSyncAt = Date.now();
    this.lastError = undefined;
    proxyMetrics.syncDuration.observe(secs);
    proxyMetrics.lastSync.set(this.lastSyncAt / 1000);
    proxyMetrics.rules.set({ mode: this.opts.proxier.mode, kind: 'rules' }, r.rules);
    proxyMetrics.rules.set({ mode: this.opts.proxier.mode, kind: 'elements' }, r.elements);
    proxyMetrics.services.set(ports.length);
    this.log.debug({ servicePorts: ports.length, rules: r.rules, ms: Math.round(secs * 1000) }, 'synced proxy rules');
    this.readyResolve();
    return true;
  }

  /** kube-proxy's /healthz: healthy when the last sync is recent (or none was needed yet). */
  healthy(now = Date.now()): boolean {
    if (!this.synced) return false;
    return this.lastSyncAt > 0 && now - this.lastSyncAt <= 2 * this.syncPeriodMs + 1000;
  }
}
