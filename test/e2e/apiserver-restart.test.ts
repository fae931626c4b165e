// State that must survive an apiserver restart on the same store: objects, resourceVersions,
// service IP/port allocations (repaired from the stored Services), and CRDs served again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/apiserver/index.js';
import { freePort } from '../helpers/etcd.js';

test('a restarted apiserver keeps allocations and serves CRDs again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-restart-'));
  const json = async (url: string, method = 'GET', body?: unknown) => {
    const r = await fetch(url, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, body: (await r.json()) as any };
  };
  // Raw HTTP through the loopback debugging port (no credentials needed).
  const start = async () => startApiServer({ dataDir: dir, securePort: 0, insecurePort: await freePort(), compactionIntervalSeconds: 0 });
  let api = await start();
  const base = () => api.insecureUrl!;
  try {
    const svc = await json(`${base()}/api/v1/namespaces/default/services`, 'POST', { metadata: { name: 'a' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    assert.equal(svc.status, 201);
    const ip = svc.body.spec.clusterIP;
    const np = svc.body.spec.ports[0].nodePort;
    const crd = await json(`${base()}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, 'POST', {
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Cluster', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    });
    assert.equal(crd.status, 201);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await json(`${base()}/apis/example.com/v1/widgets`, 'POST', { metadata: { name: 'w' }, spec: { a: 1 } })).status, 201);
    await api.close();

    api = await start();
    const dupIP = await json(`${base()}/api/v1/namespaces/default/services`, 'POST', { metadata: { name: 'b' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });
    assert.equal(dupIP.status, 422);
    assert.equal(dupIP.body.message, `Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`);
    const dupPort = await json(`${base()}/api/v1/namespaces/default/services`, 'POST', { metadata: { name: 'c' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: np }] } });
    assert.equal(dupPort.status, 422);
    assert.match(dupPort.body.message, new RegExp(`spec.ports\\[0\\].nodePort: Invalid value: ${np}: provided port is already allocated`));
    assert.equal((await json(`${base()}/apis/example.com/v1/widgets/w`)).body.spec.a, 1);
    // Deleting the Service releases its IP and port.
    assert.equal((await json(`${base()}/api/v1/namespaces/default/services/a`, 'DELETE')).status, 200);
    assert.equal((await json(`${base()}/api/v1/namespaces/default/services`, 'POST', { metadata: { name: 'b' }, spec: { clusterIP: ip, type: 'NodePort', ports: [{ port: 80, nodePort: np }] } })).status, 201);
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
});
