// Scrapes every node's kubelet /stats/summary for the metrics.k8s.io API (metrics.ts), as
// metrics-server does, through the apiserver's kubelet client TLS config (its kubelet client
// certificate, authorized by the kubelet as nodes/stats). Results are cached for `ttlMs`
// (metrics-server keeps the last scrape of its 15 s --metric-resolution; keelson scrapes on
// demand, at most once per ttl, and concurrent readers share one scrape). A node that does not
// answer simply has no metrics, and is not asked again for `retryFailedMs` (30 s) so one dead
// node does not slow every read by the dial timeout. Simulated nodes (label
// node.keelson.io/simulated) have no kubelet server and are skipped.
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { KubeletClientTls } from '../../handlers/context.js';
import type { KObject } from '../strategy.js';
import type { Summary } from '../../../kubelet/server/stats.js';

export interface NodeSummary {
  node: KObject;
  summary: Summary;
}

export const defaultScrapeTtlMs = 5000;
const timeoutMs = 5000;
const retryFailedMs = 30_000;

/** host:port of a Node's kubelet (InternalIP first, as pod-proxy does). */
export function kubeletEndpoint(node: KObject): { host: string; port: number } | undefined {
  const addrs: KObject[] = node.status?.addresses ?? [];
  const host = ['InternalIP', 'ExternalIP', 'Hostname'].map((t) => addrs.find((a) => a.type === t)?.address).find(Boolean);
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port) || 0;
  return host && port ? { host, port } : undefined;
}

function fetchSummary(ep: { host: string; port: number }, tls: KubeletClientTls): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: ep.host, port: ep.port, path: '/stats/summary', method: 'GET', agent: false, timeout: timeoutMs, cert: tls.cert, key: tls.key, ca: tls.ca, rejectUnauthorized: !!tls.ca, servername: isIP(ep.host) ? undefined : ep.host },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`kubelet ${ep.host}:${ep.port} answered ${res.statusCode}: ${body.trim()}`));
          try {
            resolve(JSON.parse(body) as Summary);
          } catch (e) {
            reject(e as Error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('i/o timeout')));
    req.on('error', reject);
    req.end();
  });
}

export class KubeletScraper {
  private last?: { at: number; result: Promise<NodeSummary[]> };
  /** Node name -> when it last failed to answer. */
  private readonly failed = new Map<string, number>();

  constructor(
    private readonly listNodes: () => Promise<KObject[]>,
    private readonly tls: () => KubeletClientTls,
    private readonly ttlMs = defaultScrapeTtlMs,
  ) {}

  /** The summaries of every node that answered, at most `ttlMs` old. */
  scrape(): Promise<NodeSummary[]> {
    const now = Date.now();
    if (this.last && now - this.last.at < this.ttlMs) return this.last.result;
    const result = this.listNodes().then(async (nodes) => {
      const out = await Promise.all(
        nodes.map(async (node) => {
          const ep = kubeletEndpoint(node);
          const name = String(node.metadata?.name);
          if (!ep || node.metadata?.labels?.['node.keelson.io/simulated'] === 'true') return undefined;
          if (now - (this.failed.get(name) ?? -Infinity) < retryFailedMs) return undefined;
          try {
            const summary = await fetchSummary(ep, this.tls());
            this.failed.delete(name);
            return { node, summary };
          } catch {
            this.failed.set(name, Date.now());
            return undefined;
          }
        }),
      );
      return out.filter((x): x is NodeSummary => !!x);
    });
    this.last = { at: now, result };
    result.catch(() => (this.last = undefined));
    return result;
  }
}
