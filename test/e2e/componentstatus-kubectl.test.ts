// `kubectl get componentstatuses` (`kubectl get cs`) against an apiserver in this process: the
// deprecation warning, NAME STATUS MESSAGE ERROR rows for the scheduler, the controller manager
// and the embedded store (etcd-0), an unhealthy component with the HTTP prober's wording, a
// field selector, -o json, and kube's error for a name that is not a component. The scheduler
// and controller-manager checks are pointed at servers of the test (kube probes 127.0.0.1:10259
// and :10257, which other suites on this machine may be using).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { httpHealthCheck } from '../../src/apiserver/registry/core/componentstatuses/checks.js';
import { freePort } from '../helpers/etcd.js';
import { kubectlWith } from '../helpers/kubectl.js';

describe('kubectl get componentstatuses', () => {
  let dir: string;
  let api: ApiServer;
  let healthz: http.Server;
  let kubectl: ReturnType<typeof kubectlWith>;
  let closedPort: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keelson-cs-'));
    api = await startApiServer({ dataDir: join(dir, 'data'), securePort: await freePort(), insecurePort: await freePort(), etcdServers: [], compactionIntervalSeconds: 0 });
    healthz = http.createServer((req, res) => (req.url === '/healthz' ? res.end('ok') : (res.statusCode = 500, res.end('no'))));
    await new Promise<void>((r) => healthz.listen(0, '127.0.0.1', r));
    const port = (healthz.address() as AddressInfo).port;
    closedPort = await freePort();
    api.componentStatuses.set('scheduler', httpHealthCheck(`http://127.0.0.1:${port}/healthz`));
    api.componentStatuses.set('controller-manager', httpHealthCheck(`http://127.0.0.1:${closedPort}/healthz`));
    kubectl = kubectlWith({ kubeconfig: api.kubeconfigPath!, cacheDir: join(dir, 'kcache') });
  });
  after(async () => {
    await api?.close();
    healthz?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every component with its health, and warns that the API is deprecated', async () => {
    const r = await kubectl(['get', 'cs']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^NAME\s+STATUS\s+MESSAGE\s+ERROR$/);
    assert.match(r.stdout, /^scheduler\s+Healthy\s+ok\s*$/m);
    assert.match(r.stdout, /^etcd-0\s+Healthy\s+ok\s*$/m);
    const cm = lines.find((l) => l.startsWith('controller-manager'));
    assert.match(cm ?? '', new RegExp(`^controller-manager\\s+Unhealthy\\s+Get "http://127\\.0\\.0\\.1:${closedPort}/healthz": dial tcp 127\\.0\\.0\\.1:${closedPort}: connect: connection refused`));
  });

  it('serves get by name, field selectors and JSON like kube', async () => {
    const one = JSON.parse((await kubectl(['get', 'componentstatus', 'etcd-0', '-o', 'json'])).stdout);
    assert.equal(one.kind, 'ComponentStatus');
    assert.deepEqual(one.conditions, [{ type: 'Healthy', status: 'True', message: 'ok' }]);
    const list = JSON.parse((await kubectl(['get', '--raw', '/api/v1/componentstatuses?fieldSelector=metadata.name%3Dscheduler'])).stdout);
    assert.equal(list.kind, 'ComponentStatusList');
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['scheduler']);
    const bad = await kubectl(['get', 'cs', 'no-such-component']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Component not found: no-such-component/);
    // kube's answer for an error that is not an API status: 500 with no reason.
    const res = await fetch(`${api.insecureUrl}/api/v1/componentstatuses/no-such-component`);
    assert.equal(res.status, 500);
    const status = await res.json();
    assert.deepEqual([status.kind, status.code, status.reason, status.message], ['Status', 500, undefined, 'Component not found: no-such-component']);
    assert.match(res.headers.get('warning') ?? '', /299 - "v1 ComponentStatus is deprecated in v1\.19\+"/);
    const write = await kubectl(['delete', 'cs', 'scheduler']);
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /MethodNotAllowed|method not allowed|not supported/i);
  });
});
