// Cluster DNS against a real apiserver: services created through the API are answered over UDP
// and TCP (A, AAAA, SRV, PTR, headless, ExternalName, pod records, NXDOMAIN with SOA), other names
// are forwarded to a fake upstream on loopback (SERVFAIL when it stays silent), big answers are
// truncated for UDP, deletions are seen, and the kube-dns Service points at the server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestApiServer, type TestApiServer } from '../../test/helpers/apiserver.js';
import { query, startFakeUpstream, type FakeUpstream } from '../../test/helpers/dns.js';
import { until } from '../../test/helpers/until.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient, type KObject } from '../client/rest-client.js';
import { ClusterDns } from './index.js';

const ns = 'default';
const svcPath = `/api/v1/namespaces/${ns}/services`;
const slicePath = `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`;
const data = (r: { answers?: any[] }, type: string) => (r.answers ?? []).filter((a) => a.type === type).map((a) => a.data);

function slice(name: string, svc: string, endpoints: Array<{ ip: string; hostname?: string; ready?: boolean }>, port = 5432): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'test.keelson.io' } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], ...(e.hostname ? { hostname: e.hostname } : {}), conditions: { ready: e.ready ?? true } })),
    ports: [{ name: 'pg', port, protocol: 'TCP' }],
  };
}

describe('cluster DNS', () => {
  let api: TestApiServer;
  let client: RestClient;
  let upstream: FakeUpstream;
  let dns: ClusterDns;
  let port: number;
  let webIP: string;
  const ac = new AbortController();

  before(async () => {
    api = await startTestApiServer();
    client = new RestClient(loadKubeconfig(api.kubeconfig));
    upstream = await startFakeUpstream({ 'example.test': ['192.0.2.7'], 'outside.test': ['192.0.2.8'] }, ['silent.test']);
    const web = await client.post(svcPath, { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    webIP = web.spec.clusterIP;
    await client.post(svcPath, { metadata: { name: 'db' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } });
    await client.post(slicePath, slice('db-1', 'db', [{ ip: '10.244.0.11', hostname: 'db-0' }, { ip: '10.244.0.12', hostname: 'db-1' }, { ip: '10.244.0.13', hostname: 'db-2', ready: false }], 15432));
    await client.post(svcPath, { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.test' } });
    const many = Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.1.${i + 1}` }));
    await client.post(svcPath, { metadata: { name: 'many' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } });
    await client.post(slicePath, slice('many-1', 'many', many));
    dns = new ClusterDns({ client, listenHost: '127.0.0.1', port: 0, upstreams: [`127.0.0.1:${upstream.port}`], forwardTimeoutMs: 600, serviceIP: '10.96.0.10', nodeName: 'node-a' });
    void dns.start(ac.signal);
    await dns.ready;
    port = dns.address.port;
  });
  after(async () => {
    ac.abort();
    await new Promise((r) => setTimeout(r, 50));
    client?.close();
    await upstream?.close();
    await api?.stop();
  });

  it('answers a ClusterIP service over UDP and TCP, authoritatively', async () => {
    for (const tcp of [false, true]) {
      const r = await query(port, 'web.default.svc.cluster.local', 'A', { tcp });
      assert.equal(r.rcode, 'NOERROR');
      assert.equal(r.flag_aa, true);
      assert.deepEqual(data(r, 'A'), [webIP]);
    }
    const k = await query(port, 'kubernetes.default.svc.cluster.local', 'A');
    assert.deepEqual(data(k, 'A'), ['10.96.0.1']);
    // Case-insensitive, and the answer keeps the asker's spelling.
    const upper = await query(port, 'WEB.Default.svc.Cluster.Local', 'A');
    assert.deepEqual(data(upper, 'A'), [webIP]);
  });

  it('returns no data (not NXDOMAIN) for AAAA of an IPv4 service, with the SOA', async () => {
    const r = await query(port, 'web.default.svc.cluster.local', 'AAAA');
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.answers?.length, 0);
    assert.equal(r.authorities?.[0]?.type, 'SOA');
  });

  it('answers SRV for a named port with the service as target', async () => {
    const r = await query(port, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.deepEqual(data(r, 'SRV').map((d: any) => [d.port, d.target]), [[80, 'web.default.svc.cluster.local']]);
    assert.deepEqual(data({ answers: r.additionals }, 'A'), [webIP]);
    const wrongProto = await query(port, '_http._udp.web.default.svc.cluster.local', 'SRV');
    assert.equal(wrongProto.rcode, 'NXDOMAIN');
  });

  it('answers PTR for a ClusterIP and a named headless endpoint', async () => {
    const rev = webIP.split('.').reverse().join('.') + '.in-addr.arpa';
    assert.deepEqual(data(await query(port, rev, 'PTR'), 'PTR'), ['web.default.svc.cluster.local']);
    assert.deepEqual(data(await query(port, '11.0.244.10.in-addr.arpa', 'PTR'), 'PTR'), ['db-0.db.default.svc.cluster.local']);
  });

  it('answers a headless service with its ready endpoints, by hostname, and SRV per endpoint', async () => {
    const r = await query(port, 'db.default.svc.cluster.local', 'A');
    assert.deepEqual(data(r, 'A').sort(), ['10.244.0.11', '10.244.0.12']);
    assert.deepEqual(data(await query(port, 'db-1.db.default.svc.cluster.local', 'A'), 'A'), ['10.244.0.12']);
    assert.equal((await query(port, 'db-2.db.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN', 'not-ready endpoints are not published');
    const srv = await query(port, '_pg._tcp.db.default.svc.cluster.local', 'SRV');
    assert.deepEqual(data(srv, 'SRV').map((d: any) => `${d.target}:${d.port}`).sort(), ['db-0.db.default.svc.cluster.local:15432', 'db-1.db.default.svc.cluster.local:15432']);
    assert.equal(data({ answers: srv.additionals }, 'A').length, 2);
  });

  it('answers an ExternalName service with a CNAME and the target resolved upstream', async () => {
    const r = await query(port, 'ext.default.svc.cluster.local', 'A');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(data(r, 'CNAME'), ['example.test']);
    assert.deepEqual(data(r, 'A'), ['192.0.2.7']);
  });

  it('answers pod records and the schema version', async () => {
    assert.deepEqual(data(await query(port, '10-244-3-4.default.pod.cluster.local', 'A'), 'A'), ['10.244.3.4']);
    assert.equal((await query(port, 'not-an-ip.default.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
    const v = await query(port, 'dns-version.cluster.local', 'TXT');
    assert.equal(Buffer.from((v.answers![0] as any).data[0]).toString(), '1.1.0');
  });

  it('says NXDOMAIN with the SOA for missing names, including search-path expansions, without asking upstream', async () => {
    const before = upstream.queries.length;
    for (const name of ['nope.default.svc.cluster.local', 'www.example.com.default.svc.cluster.local', 'www.example.com.svc.cluster.local', 'www.example.com.cluster.local']) {
      const r = await query(port, name, 'A');
      assert.equal(r.rcode, 'NXDOMAIN', name);
      assert.equal(r.flag_aa, true);
      const soa = r.authorities?.[0] as any;
      assert.equal(soa?.type, 'SOA');
      assert.equal(soa.name, 'cluster.local');
      assert.equal(soa.data.mname, 'ns.dns.cluster.local');
    }
    assert.equal(upstream.queries.length, before);
  });

  it('forwards other names to the upstream, and says SERVFAIL when it does not answer', async () => {
    const r = await query(port, 'outside.test', 'A');
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.flag_aa, false);
    assert.deepEqual(data(r, 'A'), ['192.0.2.8']);
    assert.ok(upstream.queries.includes('outside.test A'));
    assert.equal((await query(port, 'missing.test', 'A')).rcode, 'NXDOMAIN');
    const t0 = Date.now();
    const s = await query(port, 'silent.test', 'A', { tcp: true });
    assert.equal(s.rcode, 'SERVFAIL');
    assert.ok(Date.now() - t0 < 3000);
  });

  it('truncates big UDP answers (TC) without EDNS, and gives them whole over TCP or with EDNS', async () => {
    const udp = await query(port, 'many.default.svc.cluster.local', 'A');
    assert.equal(udp.flag_tc, true);
    assert.ok((udp as any).raw.length <= 512);
    const tcp = await query(port, 'many.default.svc.cluster.local', 'A', { tcp: true });
    assert.equal(tcp.flag_tc, false);
    assert.equal(data(tcp, 'A').length, 60);
    const edns = await query(port, 'many.default.svc.cluster.local', 'A', { edns: 4096 });
    assert.equal(edns.flag_tc, false);
    assert.equal(data(edns, 'A').length, 60);
  });

  it('publishes the kube-dns Service at the tenth service address, pointing at the server', async () => {
    const svc = await client.get('/api/v1/namespaces/kube-system/services/kube-dns');
    assert.equal(svc.spec.clusterIP, '10.96.0.10');
    assert.deepEqual(svc.spec.ports.map((p: any) => `${p.name}/${p.protocol}/${p.port}`), ['dns/UDP/53', 'dns-tcp/TCP/53']);
    const slices = await client.get('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices', { labelSelector: 'kubernetes.io/service-name=kube-dns' });
    assert.equal(slices.items.length, 1);
    assert.deepEqual(slices.items[0].endpoints[0].addresses, ['127.0.0.1']);
    assert.deepEqual(slices.items[0].ports.map((p: any) => p.port), [port, port]);
    await until('kube-dns answered', async () => data(await query(port, 'kube-dns.kube-system.svc.cluster.local', 'A'), 'A')[0] === '10.96.0.10');
  });

  it('adopts the kube-dns Service it finds (a restart) and points the EndpointSlice at the new server', async () => {
    const again = new ClusterDns({ client, listenHost: '127.0.0.1', port: 0, upstreams: [`127.0.0.1:${upstream.port}`], serviceIP: '10.96.0.10', nodeName: 'node-a' });
    const stop = new AbortController();
    const run = again.start(stop.signal);
    try {
      await again.ready;
      const svc = await client.get('/api/v1/namespaces/kube-system/services/kube-dns');
      assert.equal(svc.spec.clusterIP, '10.96.0.10');
      const slices = await client.get('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices', { labelSelector: 'kubernetes.io/service-name=kube-dns' });
      assert.deepEqual(slices.items[0].ports.map((p: any) => p.port), [again.address.port, again.address.port]);
    } finally {
      stop.abort();
      await run;
    }
  });

  // The server runs in this process: dig must run asynchronously.
  it('works with dig when it is installed', { skip: spawnSync('dig', ['-v']).error ? 'dig is not installed' : false }, async () => {
    const dig = async (...args: string[]) => (await promisify(execFile)('dig', ['-p', String(port), '@127.0.0.1', ...args], { encoding: 'utf8' })).stdout;
    assert.equal((await dig('+short', 'web.default.svc.cluster.local', 'A')).trim(), webIP);
    assert.match(await dig('+short', '+tcp', '_pg._tcp.db.default.svc.cluster.local', 'SRV'), /15432 db-0\.db\.default\.svc\.cluster\.local\./);
    assert.match(await dig('nope.default.svc.cluster.local', 'A'), /status: NXDOMAIN/);
    assert.match(await dig('+short', '-x', webIP), /^web\.default\.svc\.cluster\.local\.$/m);
  });

  it('stops answering a service once it is deleted', async () => {
    await client.delete(`${svcPath}/web`);
    await until('web gone from DNS', async () => (await query(port, 'web.default.svc.cluster.local', 'A')).rcode === 'NXDOMAIN', 10_000);
    await client.delete(`${slicePath}/db-1`);
    await until('db endpoints gone', async () => {
      const r = await query(port, 'db.default.svc.cluster.local', 'A');
      return r.rcode === 'NOERROR' && (r.answers ?? []).length === 0;
    }, 10_000);
  });
});
