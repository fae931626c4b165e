// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics (get, list; `kubectl top nodes|pods` and the
// HPA's resource metrics), served by the apiserver itself from its kubelets' /stats/summary
// (scraper.ts). Divergence: Kubernetes serves this group through an aggregated APIService backed
// by metrics-server; keelson has no aggregation layer, so the apiserver plays metrics-server's
// part. Shapes and names follow metrics-server: cpu in nanocores ("12345n"), memory working set
// in Ki, metadata with the node's / pod's labels, `timestamp` and `window`; pods only with at
// least one running container that reported stats; NotFound as `podmetrics.metrics.k8s.io
// "<ns>/<name>" not found` (`nodemetrics.metrics.k8s.io "<name>"`). No watch, no field selectors beyond metadata.name.
import type { Handler } from '../../handlers/context.js';
import type { KObject, Strategy } from '../strategy.js';
import { listObjects, listOptionsFromQuery } from '../generic/list.js';
import { newContext } from '../generic/context.js';
import { ApiError, methodNotAllowed, notFound } from '../../status.js';
import { respondComputed, type ComputedStrategy } from '../computed.js';
import { KubeletScraper, type NodeSummary } from './scraper.js';
import { parseLabelSelector, matchLabels } from '../../../api/selectors/labels.js';

const group = 'metrics.k8s.io';
const version = 'v1beta1';
const window = '10s';

const scrapers = new WeakMap<object, KubeletScraper>();
function scraper(h: Handler): KubeletScraper {
  let s = scrapers.get(h.state);
  if (!s) {
    const state = h.state;
    const nodes = state.resources.storeFor('', 'nodes');
    if (!nodes) throw new ApiError(503, 'ServiceUnavailable', 'no nodes resource');
    s = new KubeletScraper(async () => (await listObjects(nodes, newContext(''), {})).items, () => state.kubeletClient ?? {});
    scrapers.set(state, s);
  }
  return s;
}

const cpu = (nanoCores: number | undefined) => `${Math.round(nanoCores ?? 0)}n`;
const memory = (bytes: number | undefined) => `${Math.round((bytes ?? 0) / 1024)}Ki`;

function nodeMetrics(n: NodeSummary, now: string): KObject {
  const s = n.summary.node;
  return {
    kind: 'NodeMetrics',
    apiVersion: `${group}/${version}`,
    metadata: { name: n.node.metadata?.name, creationTimestamp: now, ...(n.node.metadata?.labels ? { labels: n.node.metadata.labels } : {}) },
    timestamp: s.cpu?.time ?? now,
    window,
    usage: { cpu: cpu(s.cpu?.usageNanoCores), memory: memory(s.memory?.workingSetBytes) },
  };
}

function podMetrics(pod: KObject, p: NodeSummary['summary']['pods'][number], now: string): KObject {
  return {
    kind: 'PodMetrics',
    apiVersion: `${group}/${version}`,
    metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace, creationTimestamp: now, ...(pod.metadata?.labels ? { labels: pod.metadata.labels } : {}) },
    timestamp: p.cpu?.time ?? now,
    window,
    containers: p.containers.map((c) => ({ name: c.name, usage: { cpu: cpu(c.cpu?.usageNanoCores), memory: memory(c.memory?.workingSetBytes) } })),
  };
}

function respond(h: Handler, items: KObject[], listKind: string, single: boolean): void {
  respondComputed(h, items, single ? undefined : { kind: listKind, apiVersion: `${group}/${version}` });
}

const usageTable = {
  columns: [
    { name: 'Name', type: 'string' as const, format: 'name', description: 'Name of the resource', priority: 0 },
    { name: 'CPU', type: 'string' as const, description: 'CPU usage', priority: 0 },
    { name: 'Memory', type: 'string' as const, description: 'Memory usage', priority: 0 },
    { name: 'Window', type: 'string' as const, description: 'Time window of the usage', priority: 0 },
  ],
  cells(o: KObject): unknown[] {
    if (o.usage) return [o.metadata?.name, o.usage.cpu, o.usage.memory, o.window];
    // A pod: the sum of its containers, in the same units.
    const sum = (k: string, unit: string) => `${((o.containers ?? []) as KObject[]).reduce((a, c) => a + Number(String(c.usage?.[k] ?? '0').replace(unit, '')), 0)}${unit}`;
    return [o.metadata?.name, sum('cpu', 'n'), sum('memory', 'Ki'), o.window];
  },
};

export const nodeMetricsStrategy: ComputedStrategy = {
  info: { group, version, kind: 'NodeMetrics', listKind: 'NodeMetricsList', resource: 'nodes', singular: 'nodemetrics', namespaced: false, verbs: ['get', 'list'], storagePrefix: 'metrics.k8s.io/nodes' },
  table: usageTable,
  async computedRead(h) {
    if (h.info.verb !== 'get' && h.info.verb !== 'list') throw methodNotAllowed();
    const now = h.state.now().toISOString();
    const summaries = await scraper(h).scrape();
    if (h.info.verb === 'get') {
      const n = summaries.find((s) => s.node.metadata?.name === h.info.name);
      if (!n) throw notFound({ group, resource: 'nodemetrics' }, h.info.name);
      return respond(h, [nodeMetrics(n, now)], 'NodeMetricsList', true);
    }
    const sel = parseLabelSelector(h.query.get('labelSelector') ?? '');
    const items = summaries.filter((s) => matchLabels(sel, s.node.metadata?.labels)).map((s) => nodeMetrics(s, now));
    items.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
    respond(h, items, 'NodeMetricsList', false);
  },
};

export const podMetricsStrategy: ComputedStrategy = {
  info: { group, version, kind: 'PodMetrics', listKind: 'PodMetricsList', resource: 'pods', singular: 'podmetrics', namespaced: true, verbs: ['get', 'list'], storagePrefix: 'metrics.k8s.io/pods' },
  table: usageTable,
  async computedRead(h) {
    if (h.info.verb !== 'get' && h.info.verb !== 'list') throw methodNotAllowed();
    const now = h.state.now().toISOString();
    const podStore = h.state.resources.storeFor('', 'pods');
    if (!podStore) throw new ApiError(503, 'ServiceUnavailable', 'no pods resource');
    const ns = h.info.namespace ?? '';
    const summaries = await scraper(h).scrape();
    const byKey = new Map<string, NodeSummary['summary']['pods'][number]>();
    for (const s of summaries) for (const p of s.summary.pods ?? []) byKey.set(`${p.podRef.namespace}/${p.podRef.name}/${p.podRef.uid}`, p);
    const find = (pod: KObject) => byKey.get(`${pod.metadata?.namespace}/${pod.metadata?.name}/${pod.metadata?.uid}`);
    if (h.info.verb === 'get') {
      const pod = await podStore.get(ns, h.info.name).catch(() => undefined);
      const p = pod && find(pod);
      if (!pod || !p) throw notFound({ group, resource: 'podmetrics' }, `${ns}/${h.info.name}`);
      return respond(h, [podMetrics(pod, p, now)], 'PodMetricsList', true);
    }
    const opts = listOptionsFromQuery(h.query);
    const pods = (await listObjects(podStore, newContext(ns), { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector })).items;
    const items: KObject[] = [];
    for (const pod of pods) {
      const p = find(pod);
      if (p && pod.status?.phase === 'Running') items.push(podMetrics(pod, p, now));
    }
    respond(h, items, 'PodMetricsList', false);
  },
};

export const metricsStrategies: Strategy[] = [nodeMetricsStrategy, podMetricsStrategy];
