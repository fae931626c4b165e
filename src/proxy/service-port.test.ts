// Service ports from Services and EndpointSlices: readiness, terminating fallback, dedupe
// across slices, traffic policies, affinity defaults, and what is skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildServicePorts, servicePorts } from './service-port.js';

const svc = (spec: Service['spec'], name = 'web'): Service => ({ metadata: { namespace: 'default', name }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }], ...spec } });
const ep = (ip: string, conditions: Record<string, boolean> = {}, nodeName = 'n1') => ({ addresses: [ip], conditions, nodeName });
const slice = (endpoints: ReturnType<typeof ep>[], port = 8080, name = 'http', protocol = 'TCP'): EndpointSlice => ({
  addressType: 'IPv4',
  endpoints,
  ports: [{ name, port, protocol }],
});
const ips = (eps: Array<{ ip: string }>) => eps.map((e) => e.ip);

test('ready endpoints, merged across slices, deduplicated and sorted', () => {
  const [sp] = servicePorts(svc({}), [slice([ep('10.0.0.3'), ep('10.0.0.2', { ready: false })]), slice([ep('10.0.0.3'), ep('10.0.0.10')])], 'n1');
  assert.deepEqual(ips(sp.allEndpoints), ['10.0.0.3', '10.0.0.10']);
  assert.equal(sp.allEndpoints[0].port, 8080);
  assert.equal(sp.id, 'default/web:http');
  assert.equal(sp.protocol, 'tcp');
});

test('no ready endpoint: serving terminating ones take the traffic', () => {
  const [sp] = servicePorts(svc({}), [slice([ep('10.0.0.2', { ready: false, serving: true, terminating: true }), ep('10.0.0.3', { ready: false })])], 'n1');
  assert.deepEqual(ips(sp.allEndpoints), ['10.0.0.2']);
});

test('ports match by name and protocol', () => {
  const [sp] = servicePorts(svc({ ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }), [slice([ep('10.0.0.2')], 53, 'dns', 'TCP'), slice([ep('10.0.0.3')], 5353, 'dns', 'UDP')], 'n1');
  assert.deepEqual(ips(sp.allEndpoints), ['10.0.0.3']);
  assert.equal(sp.allEndpoints[0].port, 5353);
});

test('traffic policies Local pick the endpoints on this node', () => {
  const s = svc({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }], externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local' });
  const [sp] = servicePorts(s, [slice([ep('10.0.0.2', {}, 'n1'), ep('10.0.0.3', {}, 'n2')])], 'n1');
  assert.deepEqual(ips(sp.clusterEndpoints), ['10.0.0.2']);
  assert.deepEqual(ips(sp.externalEndpoints), ['10.0.0.2']);
  assert.deepEqual(ips(sp.allEndpoints), ['10.0.0.2', '10.0.0.3']);
  assert.equal(sp.nodePort, 30080);
  assert.equal(sp.externalPolicyLocal, true);
});

test('ClientIP affinity defaults to 10800 s', () => {
  assert.equal(servicePorts(svc({ sessionAffinity: 'ClientIP' }), [], 'n1')[0].affinitySeconds, 10800);
  assert.equal(servicePorts(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } }), [], 'n1')[0].affinitySeconds, 5);
  assert.equal(servicePorts(svc({}), [], 'n1')[0].affinitySeconds, 0);
});

test('headless, ExternalName and ClusterIP services without NodePorts', () => {
  assert.deepEqual(servicePorts(svc({ clusterIP: 'None' }), [], 'n1'), []);
  assert.deepEqual(servicePorts(svc({ type: 'ExternalName', externalName: 'example.org' }), [], 'n1'), []);
  assert.equal(servicePorts(svc({ ports: [{ name: 'http', port: 80, nodePort: 30001 }] }), [], 'n1')[0].nodePort, 0);
});

test('buildServicePorts sorts by id and finds slices by service', () => {
  const all = buildServicePorts([svc({}, 'zeta'), svc({}, 'alpha')], new Map([['default/alpha', [slice([ep('10.0.0.9')])]]]), 'n1');
  assert.deepEqual(all.map((p) => p.id), ['default/alpha:http', 'default/zeta:http']);
  assert.deepEqual(ips(all[0].allEndpoints), ['10.0.0.9']);
  assert.deepEqual(all[1].allEndpoints, []);
});
