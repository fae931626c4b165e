// The proxy's Prometheus metrics, named as kube-proxy names them (kubeproxy_*), registered once
// per process in the shared registry.
import { prom, registry } from '../util/metrics.js';

export const proxyMetrics = {
  syncDuration: new prom.Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds.',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [registry],
  }),
  lastSync: new prom.Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced.', registers: [registry] }),
  syncFailures: new prom.Counter({ name: 'kubeproxy_sync_proxy_rules_failures_total', help: 'Syncs of the proxy rules that failed.', registers: [registry] }),
  rules: new prom.Gauge({
    name: 'kubeproxy_sync_proxy_rules_total',
    help: 'Rules (nftables/iptables), or listeners (userspace), and nftables map/set elements programmed by the last sync.',
    labelNames: ['mode', 'kind'],
    registers: [registry],
  }),
  services: new prom.Gauge({ name: 'kubeproxy_sync_proxy_rules_service_ports', help: 'Service ports programmed by the last sync.', registers: [registry] }),
  serviceChanges: new prom.Counter({ name: 'kubeproxy_sync_proxy_rules_service_changes_total', help: 'Cumulative service changes seen.', registers: [registry] }),
  endpointChanges: new prom.Counter({ name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total', help: 'Cumulative EndpointSlice changes seen.', registers: [registry] }),
};
