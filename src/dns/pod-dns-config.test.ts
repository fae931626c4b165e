// The pod DNS configuration as the kubelet computes it, per dnsPolicy, with dnsConfig merged and
// the resolver limits applied; and the host resolv.conf reading that feeds it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podDnsConfig, renderResolvConf } from './pod-dns-config.js';
import { parseResolvConf, upstreamServers } from './resolv-conf.js';
import { clusterDnsIP } from './kube-dns-service.js';

const host = parseResolvConf('# host\nnameserver 192.168.1.1\nnameserver 8.8.8.8\nsearch corp.example. lab.example\noptions edns0 timeout:2\n');
const kubelet = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: host };
const pod = (spec: Record<string, unknown> = {}) => ({ metadata: { namespace: 'shop', name: 'p' }, spec });

describe('pod DNS config', () => {
  it('ClusterFirst (the default): cluster DNS, the cluster search path then the host one, ndots:5', () => {
    const c = podDnsConfig(pod(), kubelet);
    assert.deepEqual(c.servers, ['10.96.0.10']);
    assert.deepEqual(c.searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example']);
    assert.deepEqual(c.options, ['ndots:5']);
    assert.equal(renderResolvConf(c), 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  });

  it('ClusterFirst on the host network and Default use the host resolv.conf; ClusterFirstWithHostNet uses the cluster', () => {
    const hostNet = podDnsConfig(pod({ hostNetwork: true }), kubelet);
    assert.deepEqual([hostNet.servers, hostNet.searches, hostNet.options], [['192.168.1.1', '8.8.8.8'], ['corp.example', 'lab.example'], ['edns0', 'timeout:2']]);
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default' }), kubelet).servers, ['192.168.1.1', '8.8.8.8']);
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }), kubelet).servers, ['10.96.0.10']);
  });

  it('None takes only spec.dnsConfig; dnsConfig is merged without duplicates and options override by name', () => {
    const none = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), kubelet);
    assert.deepEqual([none.servers, none.searches, none.options], [['1.1.1.1'], ['a.example'], ['ndots:2', 'edns0']]);
    const merged = podDnsConfig(pod({ dnsConfig: { nameservers: ['10.96.0.10', '1.1.1.1'], searches: ['cluster.local', 'x.example'], options: [{ name: 'ndots', value: '1' }] } }), kubelet);
    assert.deepEqual(merged.servers, ['10.96.0.10', '1.1.1.1']);
    assert.deepEqual(merged.searches.slice(-1), ['x.example']);
    assert.equal(merged.searches.filter((s) => s === 'cluster.local').length, 1);
    assert.deepEqual(merged.options, ['ndots:1']);
  });

  it('falls back to the host when the kubelet has no cluster DNS, and says so', () => {
    const c = podDnsConfig(pod(), { ...kubelet, clusterDNS: [] });
    assert.deepEqual(c.servers, ['192.168.1.1', '8.8.8.8']);
    assert.match(c.warnings[0], /does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy\. Falling back to "Default" policy\./);
  });

  it('with --resolv-conf="" the host policy points at the local machine with no search', () => {
    const c = podDnsConfig(pod({ dnsPolicy: 'Default' }), { ...kubelet, hostResolvConf: undefined });
    assert.deepEqual([c.servers, c.searches], [['127.0.0.1'], ['.']]);
  });

  it('cuts nameservers to 3 and the search list to the resolver limits', () => {
    const c = podDnsConfig(pod({ dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'], searches: Array.from({ length: 40 }, (_, i) => `s${i}.example`) } }), kubelet);
    assert.deepEqual(c.servers, ['10.96.0.10', '1.1.1.1', '2.2.2.2']);
    assert.equal(c.searches.length, 32);
    assert.equal(c.warnings.length, 2);
  });
});

describe('host resolv.conf', () => {
  it('skips loopback stubs when other servers exist, keeps them when alone', () => {
    assert.deepEqual(upstreamServers(parseResolvConf('nameserver 127.0.0.53\nnameserver 10.0.0.2\n')), ['10.0.0.2']);
    assert.deepEqual(upstreamServers(parseResolvConf('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n')), ['127.0.0.53']);
    assert.deepEqual(parseResolvConf('search a b\nsearch c.\n').searches, ['c']);
  });

  it('puts cluster DNS at the tenth address of the service range', () => {
    assert.equal(clusterDnsIP('10.96.0.0/12'), '10.96.0.10');
    assert.equal(clusterDnsIP('10.43.0.0/16'), '10.43.0.10');
    assert.throws(() => clusterDnsIP('nope'), /invalid service cluster IP range "nope"/);
  });
});
