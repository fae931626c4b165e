// The proxy subresources against `keelson server --runtime process`, through the real kubectl:
// `kubectl get --raw .../pods|services|nodes/<name>/proxy/...` and `kubectl proxy` + an HTTP
// client, to a pod serving files with busybox httpd, its Service and the node's kubelet; and
// the 503s kube answers when there is nothing to reach.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { freePort } from '../helpers/etcd.js';
import { until } from '../helpers/until.js';

const node = 'keelson-proxy-node';

describe('proxy subresources (kubectl get --raw, kubectl proxy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-proxy-'));
  const www = mkdtempSync(join(tmpdir(), 'keelson-proxy-www-'));
  let srv: TestServer | undefined;
  let kubectl: ReturnType<typeof kubectlWith>;
  let proxy: ChildProcess | undefined;
  let port = 0;

  before(async () => {
    writeFileSync(join(www, 'keelson.txt'), 'served-by-the-pod\n');
    srv = await startTestServer({ dir, node, args: ['--runtime', 'process'] });
    kubectl = srv.kubectl;
    port = await freePort();
    const manifest = `apiVersion: v1
kind: Pod
metadata: {name: keelson-web, labels: {app: keelson-web}}
spec:
  containers:
  - name: web
    image: busybox
    command: [busybox, httpd, -f, -p, "${port}", -h, ${www}]
    ports: [{containerPort: ${port}, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: keelson-web}
spec:
  selector: {app: keelson-web}
  ports: [{port: 80, targetPort: http, name: web}]
---
apiVersion: v1
kind: Service
metadata: {name: keelson-empty}
spec:
  selector: {app: nothing-here}
  ports: [{port: 80}]
`;
    const r = await kubectl(['apply', '-f', '-'], { input: manifest });
    assert.equal(r.code, 0, r.out);
    const w = await kubectl(['wait', '--for=condition=Ready', 'pod/keelson-web', '--timeout=60s']);
    assert.equal(w.code, 0, w.out);
    await until('endpoints', async () => (await kubectl(['get', 'endpoints', 'keelson-web', '-o', 'jsonpath={.subsets[0].addresses[0].ip}'])).stdout !== '', 20_000);
  });
  after(async () => {
    proxy?.kill();
    await srv?.stop();
    rmSync(www, { recursive: true, force: true });
  });

  const raw = (path: string) => kubectl(['get', '--raw', path]);

  it('pods/<name>/proxy reaches the first declared container port; <name>:<port> a given one', async () => {
    let r = await raw('/api/v1/namespaces/default/pods/keelson-web/proxy/keelson.txt');
    assert.equal(r.stdout, 'served-by-the-pod\n', r.out);
    r = await raw(`/api/v1/namespaces/default/pods/keelson-web:${port}/proxy/keelson.txt`);
    assert.equal(r.stdout, 'served-by-the-pod\n', r.out);
  });

  it('services/<name>:<port name or number>/proxy reaches an endpoint', async () => {
    for (const id of ['keelson-web:web', 'keelson-web:80']) {
      const r = await raw(`/api/v1/namespaces/default/services/${id}/proxy/keelson.txt`);
      assert.equal(r.stdout, 'served-by-the-pod\n', `${id}: ${r.out}`);
    }
  });

  it('nodes/<name>/proxy reaches the kubelet', async () => {
    let r = await raw(`/api/v1/nodes/${node}/proxy/healthz`);
    assert.equal(r.stdout, 'ok', r.out);
    r = await raw(`/api/v1/nodes/${node}/proxy/stats/summary`);
    assert.equal(r.code, 0, r.out);
    assert.equal(JSON.parse(r.stdout).node.nodeName, node);
  });

  it('nothing to reach: the 503s and 404s kube gives', async () => {
    let r = await raw('/api/v1/namespaces/default/services/keelson-web:81/proxy/');
    assert.match(r.stderr, /Error from server \(ServiceUnavailable\): no service port 81 found for service "keelson-web"/);
    r = await raw('/api/v1/namespaces/default/services/keelson-empty/proxy/');
    assert.match(r.stderr, /Error from server \(ServiceUnavailable\): no endpoints available for service "keelson-empty"/);
    const closed = await freePort();
    r = await raw(`/api/v1/namespaces/default/pods/keelson-web:${closed}/proxy/`);
    assert.match(r.stderr, new RegExp(`Error from server \\(ServiceUnavailable\\): error trying to reach service: dial tcp [0-9.]+:${closed}: connect: connection refused`));
    r = await raw('/api/v1/namespaces/default/pods/keelson-nosuch/proxy/');
    assert.match(r.stderr, /Error from server \(NotFound\): pods "keelson-nosuch" not found/);
    r = await raw('/api/v1/namespaces/default/pods/ftp:keelson-web:80/proxy/');
    assert.match(r.stderr, /Error from server \(BadRequest\): invalid pod request "ftp:keelson-web:80"/);
  });

  it('kubectl proxy: plain HTTP on localhost, methods and status codes pass through', async () => {
    proxy = spawn('kubectl', ['proxy', '--port=0'], { env: { ...process.env, KUBECONFIG: srv!.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proxy.stdout!.on('data', (d) => (out += d));
    await until('kubectl proxy listening', async () => /127\.0\.0\.1:\d+/.test(out), 20_000);
    const base = `http://${/127\.0\.0\.1:\d+/.exec(out)![0]}`;
    let res = await fetch(`${base}/api/v1/namespaces/default/services/keelson-web:web/proxy/keelson.txt`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'served-by-the-pod\n');
    res = await fetch(`${base}/api/v1/namespaces/default/pods/keelson-web/proxy/keelson-missing.txt`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
    // busybox httpd does not take a POST to a file: its 501 comes back.
    res = await fetch(`${base}/api/v1/namespaces/default/pods/keelson-web/proxy/keelson.txt`, { method: 'POST', body: 'x=1' });
    assert.equal(res.status, 501);
    await res.body?.cancel();
  });
});
