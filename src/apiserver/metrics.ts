// apiserver metrics (prom-client): request latency and counts by verb, resource and code, as
// kube-apiserver's apiserver_request_duration_seconds / apiserver_request_total, plus in-flight.
import { prom, registry } from '../util/metrics.js';

const get = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();

export const requestDuration = get(
  'apiserver_request_duration_seconds',
  () => new prom.Histogram({ name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, group, resource, subresource and code.', labelNames: ['verb', 'group', 'resource', 'subresource', 'code'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60], registers: [registry] }),
);

export const requestTotal = get(
  'apiserver_request_total',
  () => new prom.Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, group, resource, subresource and HTTP response code.', labelNames: ['verb', 'group', 'resource', 'subresource', 'code'], registers: [registry] }),
);

export const inflightGauge = get(
  'apiserver_current_inflight_requests',
  () => new prom.Gauge({ name: 'apiserver_current_inflight_requests', help: 'Maximal number of currently used inflight request limit of this apiserver per request kind.', labelNames: ['request_kind'], registers: [registry] }),
);

export const watchersGauge = get(
  'apiserver_registered_watchers',
  () => new prom.Gauge({ name: 'apiserver_registered_watchers', help: 'Number of currently registered watchers for a given resource.', labelNames: ['group', 'kind'], registers: [registry] }),
);
