// Which UDP conntrack entries become stale between syncs: those of removed endpoints, and all of
// a service IP that had no endpoint (its rejects) once it has some. TCP ports are left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoint } from './endpoint-slices.js';
import type { ServicePort } from './service-port.js';
import { StaleUdpEntries } from './stale-udp.js';

const ep = (ip: string): Endpoint => ({ ip, port: 5353, ready: true, serving: true, terminating: false });
const sp = (ips: string[], protocol: ServicePort['protocol'] = 'udp'): ServicePort => {
  const eps = ips.map(ep);
  return {
    id: 'default/dns:dns', namespace: 'default', name: 'dns', portName: 'dns', protocol, clusterIP: '10.96.0.10', port: 53, nodePort: 0, externalIPs: [],
    affinitySeconds: 0, externalPolicyLocal: false, internalPolicyLocal: false, allEndpoints: eps, clusterEndpoints: eps, externalEndpoints: eps,
  };
};
const vip = ['-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53'];

test('a first sync clears nothing; a removed endpoint has its entries deleted by reply source', () => {
  const s = new StaleUdpEntries();
  assert.deepEqual(s.next([sp(['10.1.0.2', '10.1.0.3'])]), []);
  assert.deepEqual(s.next([sp(['10.1.0.2'])]), [['-D', ...vip, '--reply-src', '10.1.0.3']]);
  assert.deepEqual(s.next([sp(['10.1.0.2'])]), []);
});

test('a service that gains its first endpoint has every entry of its IP and port deleted', () => {
  const s = new StaleUdpEntries();
  s.next([sp([])]);
  assert.deepEqual(s.next([sp(['10.1.0.2'])]), [['-D', ...vip]]);
});

test('TCP ports and removed services are not tracked', () => {
  const s = new StaleUdpEntries();
  s.next([sp(['10.1.0.2'], 'tcp')]);
  assert.deepEqual(s.next([sp([], 'tcp')]), []);
  s.next([sp(['10.1.0.2'])]);
  assert.deepEqual(s.next([]), []);
});
