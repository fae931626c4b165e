// Prometheus metrics (prom-client). Each server exposes `registry` on /metrics; components add
// their own metrics to it. Default process metrics are collected once.
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export { client as prom };

/** Text exposition of all metrics, with its content type. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
