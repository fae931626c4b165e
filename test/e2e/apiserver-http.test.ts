// The REST API at the HTTP level, as clients other than kubectl see it: discovery negotiation,
// Table and PartialObjectMetadata answers, watch streams, limits (413, 429), health and
// metrics, pod subresources, namespace termination.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';

describe('keelson apiserver over HTTP', () => {
  let api: TestApiServer;
  const req = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(api.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, headers: r.headers, text, json };
  };

  before(async () => {
    api = await startTestApiServer({ args: ['--max-requests-inflight', '400', '--max-mutating-requests-inflight', '200'] });
  });
  after(async () => {
    await api?.stop();
  });

  it('negotiates aggregated discovery v2 / v2beta1 and the legacy documents', async () => {
    const acc = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const v2 = await req('GET', '/apis', undefined, { Accept: acc });
    assert.equal(v2.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(v2.json.kind, 'APIGroupDiscoveryList');
    const appsGroup = v2.json.items.find((i: any) => i.metadata.name === 'apps');
    const dep = appsGroup.versions[0].resources.find((r: any) => r.resource === 'deployments');
    assert.deepEqual(dep.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.deepEqual(dep.subresources.map((s: any) => s.subresource), ['scale', 'status']);
    const beta = await req('GET', '/api', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json' });
    assert.equal(beta.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    const pods = beta.json.items[0].versions[0].resources.find((r: any) => r.resource === 'pods');
    assert.deepEqual(
      pods.subresources.find((s: any) => s.subresource === 'eviction').responseKind,
      { group: 'policy', version: 'v1', kind: 'Eviction' },
    );
    const legacy = await req('GET', '/api');
    assert.deepEqual(legacy.json.versions, ['v1']);
    const v1 = await req('GET', '/api/v1');
    const ev = v1.json.resources.find((r: any) => r.name === 'pods/eviction');
    assert.deepEqual([ev.group, ev.version, ev.kind], ['policy', 'v1', 'Eviction']);
    assert.ok(v1.json.resources.find((r: any) => r.name === 'pods/status'));
    const groups = await req('GET', '/apis');
    assert.equal(groups.json.kind, 'APIGroupList');
    assert.equal((await req('GET', '/apis/apps')).json.preferredVersion.groupVersion, 'apps/v1');
    assert.equal((await req('GET', '/apis/nope/v1')).status, 404);
  });

  it('answers Tables, PartialObjectMetadata and Status errors', async () => {
    await req('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 't1', labels: { a: 'b' } } });
    const t = await req('GET', '/api/v1/namespaces/default/configmaps?limit=500', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    assert.equal(t.json.kind, 'Table');
    assert.equal(t.json.columnDefinitions[0].name, 'Name');
    assert.equal(t.json.columnDefinitions[0].format, 'name');
    const row = t.json.rows.find((r: any) => r.cells[0] === 't1');
    assert.equal(row.object.kind, 'PartialObjectMetadata');
    assert.deepEqual(row.object.metadata.labels, { a: 'b' });
    assert.match(t.json.metadata.resourceVersion, /^\d+$/);
    const one = await req('GET', '/api/v1/namespaces/default/configmaps/t1?includeObject=Object', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(one.json.rows[0].object.kind, 'ConfigMap');
    const pom = await req('GET', '/api/v1/namespaces/default/configmaps', undefined, { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    assert.equal(pom.json.kind, 'PartialObjectMetadataList');
    const nf = await req('GET', '/api/v1/namespaces/default/configmaps/nope');
    assert.deepEqual(nf.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'configmaps' }, code: 404 });
    const bad = await req('POST', '/api/v1/namespaces/default/configmaps', '{not json');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.reason, 'BadRequest');
    const media = await req('POST', '/api/v1/namespaces/default/configmaps', 'x', { 'Content-Type': 'text/plain' });
    assert.equal(media.status, 415);
    assert.equal(media.json.reason, 'UnsupportedMediaType');
    const method = await req('PUT', '/api/v1/namespaces/default/configmaps');
    assert.equal(method.status, 405);
    const na = await req('GET', '/api/v1/namespaces/default/configmaps', undefined, { Accept: 'image/png' });
    assert.equal(na.status, 406);
    const big = await req('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'big' }, data: { x: 'y'.repeat(3 * 1024 * 1024 + 10) } });
    assert.equal(big.status, 413);
    assert.equal(big.json.reason, 'RequestEntityTooLarge');
    const yaml = await req('POST', '/api/v1/namespaces/default/configmaps', 'metadata:\n  name: fromyaml\ndata:\n  a: "1"\n', { 'Content-Type': 'application/yaml' });
    assert.equal(yaml.status, 201);
    const strict = await req('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { metadata: { name: 'strict' }, bogus: 1 });
    assert.equal(strict.status, 400);
    assert.match(strict.json.message, /strict decoding error: unknown field "bogus"/);
    const warn = await req('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'warned' }, bogus: 1 });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"bogus\\""');
  });

  it('streams watch events with bookmarks, Table rows and timeouts', async () => {
    const list = await req('GET', '/api/v1/namespaces/default/configmaps');
    const rv = list.json.metadata.resourceVersion;
    const ctl = new AbortController();
    const r = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=3`, {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      signal: ctl.signal,
    });
    assert.equal(r.status, 200);
    await req('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'w1' } });
    await req('DELETE', '/api/v1/namespaces/default/configmaps/w1');
    const text = await r.text(); // ends at timeoutSeconds
    const events = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'DELETED']);
    assert.equal(events[0].object.kind, 'Table');
    assert.ok(events[0].object.columnDefinitions.length > 0);
    assert.equal(events[1].object.columnDefinitions.length, 0);
    const init = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`);
    const lines = (await init.text()).trim().split('\n').map((l) => JSON.parse(l));
    const last = lines[lines.length - 1];
    assert.equal(last.type, 'BOOKMARK');
    assert.equal(last.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    assert.ok(lines.slice(0, -1).every((e) => e.type === 'ADDED'));
    const legacy = await fetch(`${api.url}/api/v1/watch/namespaces/default/configmaps/t1?timeoutSeconds=1`);
    const l2 = (await legacy.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(l2.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED t1']);
  });

  it('binds, evicts, terminates namespaces and finalizes them', async () => {
    await req('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const b = await req('POST', '/api/v1/namespaces/default/pods/p1/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n1' } });
    assert.equal(b.status, 201, b.text);
    assert.equal((await req('GET', '/api/v1/namespaces/default/pods/p1')).json.spec.nodeName, 'n1');
    const again = await req('POST', '/api/v1/namespaces/default/pods/p1/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n2' } });
    assert.equal(again.status, 409);
    assert.match(again.json.message, /pod p1 is already assigned to node "n1"/);
    const logs = await req('GET', '/api/v1/namespaces/default/pods/p1/log');
    // Proxied to the node's kubelet: node n1 does not exist.
    assert.equal(logs.status, 404, logs.text);
    assert.match(logs.json.message, /nodes "n1" not found/);
    const ev = await req('POST', '/api/v1/namespaces/default/pods/p1/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p1' }, deleteOptions: { gracePeriodSeconds: 0 } });
    assert.equal(ev.status, 201);
    assert.equal(ev.json.status, 'Success');
    assert.equal((await req('GET', '/api/v1/namespaces/default/pods/p1')).status, 404);
    await req('POST', '/api/v1/namespaces', { metadata: { name: 'gone-soon' } });
    const del = await req('DELETE', '/api/v1/namespaces/gone-soon');
    assert.equal(del.status, 200);
    assert.equal(del.json.status.phase, 'Terminating');
    assert.ok(del.json.metadata.deletionTimestamp);
    const blocked = await req('POST', '/api/v1/namespaces/gone-soon/configmaps', { metadata: { name: 'x' } });
    assert.equal(blocked.status, 403);
    assert.match(blocked.json.message, /unable to create new content in namespace gone-soon because it is being terminated/);
    const ns = del.json;
    ns.spec.finalizers = [];
    const fin = await req('PUT', '/api/v1/namespaces/gone-soon/finalize', ns);
    assert.equal(fin.status, 200, fin.text);
    assert.equal((await req('GET', '/api/v1/namespaces/gone-soon')).status, 404);
    const protectedNs = await req('DELETE', '/api/v1/namespaces/default');
    assert.equal(protectedNs.status, 403);
  });

  it('custom resources: pruning with fieldValidation, status subresource, generation, scale', async () => {
    const crd = await req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } }, status: { type: 'object', properties: { replicas: { type: 'integer' } } } } } },
          },
        ],
      },
    });
    assert.equal(crd.status, 201, crd.text);
    const base = '/apis/example.com/v1/namespaces/default/gadgets';
    for (let i = 0; i < 50 && (await req('GET', base)).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
    const strict = await req('POST', `${base}?fieldValidation=Strict`, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g0' }, spec: { replicas: 1, bogus: 1 } });
    assert.equal(strict.status, 400);
    assert.match(strict.json.message, /unknown field "spec.bogus"/);
    const c = await req('POST', base, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { replicas: 1, bogus: 1 }, status: { replicas: 9 } });
    assert.equal(c.status, 201, c.text);
    assert.match(c.headers.get('warning') ?? '', /unknown field \\"spec.bogus\\"/);
    assert.equal(c.json.spec.bogus, undefined);
    assert.equal(c.json.status, undefined, 'status is reset on create');
    assert.equal(c.json.metadata.generation, 1);
    const st = await req('PUT', `${base}/g1/status`, { ...c.json, spec: { replicas: 5 }, status: { replicas: 2 } });
    assert.equal(st.status, 200, st.text);
    assert.deepEqual([st.json.spec.replicas, st.json.status.replicas, st.json.metadata.generation], [1, 2, 1]);
    const sc = await req('PATCH', `${base}/g1/scale`, { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(sc.status, 200, sc.text);
    assert.deepEqual([sc.json.kind, sc.json.spec.replicas, sc.json.status.replicas], ['Scale', 3, 2]);
    const g = await req('GET', `${base}/g1`);
    assert.deepEqual([g.json.spec.replicas, g.json.metadata.generation], [3, 2]);
    const smp = await req('PATCH', `${base}/g1`, { spec: { replicas: 4 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(smp.status, 415);
  });

  it('serves health, readiness with detail, metrics and version', async () => {
    assert.equal((await req('GET', '/healthz')).text, 'ok');
    const rz = await req('GET', '/readyz?verbose');
    assert.match(rz.text, /\[\+\]ping ok\n[\s\S]*\[\+\]etcd ok[\s\S]*readyz check passed/);
    assert.equal((await req('GET', '/livez')).status, 200);
    const m = await req('GET', '/metrics');
    assert.match(m.text, /apiserver_request_total\{verb="GET",group="",resource="configmaps"/);
    assert.match(m.text, /apiserver_request_duration_seconds_bucket/);
    assert.equal((await req('GET', '/version')).json.gitVersion, 'v1.32.0+keelson');
  });
});

describe('max-in-flight limits', () => {
  it('answers 429 with Retry-After over the limit', async () => {
    const api = await startTestApiServer({ args: ['--max-requests-inflight', '1', '--max-mutating-requests-inflight', '1'] });
    try {
      // Hold one mutating request open (its body not yet sent), then send another.
      const held = request(`${api.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': '100' } });
      held.on('error', () => undefined);
      held.write('{"metadata":');
      await new Promise((r) => setTimeout(r, 200));
      const r = await fetch(`${api.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'second' } }) });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
      const st = await r.json();
      assert.equal(st.reason, 'TooManyRequests');
      assert.equal(st.message, 'Too many requests, please try again later.');
      held.destroy();
      await new Promise((r) => setTimeout(r, 200));
      const after = await fetch(`${api.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'third' } }) });
      assert.equal(after.status, 201);
    } finally {
      await api.stop();
    }
  });
});
