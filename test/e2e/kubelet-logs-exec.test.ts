// kubectl logs and kubectl exec against `keelson server --runtime process`: the apiserver proxies
// pods/log (HTTP) and pods/exec (WebSocket, v5.channel.k8s.io) to the node's kubelet server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const node = 'keelson-logs-node';


describe('kubectl logs and exec through the kubelet server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-logs-exec-'));
  let srv: TestServer | undefined;
  let kubectl: ReturnType<typeof kubectlWith>;
  const env = () => ({ ...process.env, KUBECONFIG: join(dir, 'admin.kubeconfig'), KUBECACHEDIR: join(dir, 'kcache') });
  const run = async (name: string, script: string) => {
    const r = await kubectl(['run', name, '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.out);
  };

  before(async () => {
    srv = await startTestServer({ dir, node, args: ['--runtime', 'process'] });
    kubectl = srv.kubectl;
  });
  after(async () => {
    await srv?.stop();
  });

  it('advertises the kubelet port in the Node', async () => {
    const r = await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']);
    assert.ok(Number(r.stdout) > 0, r.out);
  });

  it('the kubelet server is HTTPS and only for authorized client certificates (401 without, 403 for a node)', async () => {
    const port = Number((await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}'])).stdout);
    const address = (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).stdout;
    const get = (o: { cert?: string; key?: string }) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsGet({ host: address, port, path: `/containerLogs/default/none/c`, rejectUnauthorized: false, agent: false, ...o }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
      });
    assert.equal((await get({})).status, 401);
    // The node's own kubelet certificate is not allowed nodes/proxy (only the apiserver is).
    const pki = join(dir, 'pki');
    const nodeCert = { cert: readFileSync(join(pki, 'kubelet.crt'), 'utf8'), key: readFileSync(join(pki, 'kubelet.key'), 'utf8') };
    const r = await get(nodeCert);
    assert.equal(r.status, 403, r.body);
    assert.match(r.body, /Forbidden \(user=system:node:keelson-logs-node, verb=get, resource=nodes, subresource=proxy\)/);
    // The apiserver's kubelet client certificate is: the pod simply doesn't exist.
    const api = { cert: readFileSync(join(pki, 'apiserver-kubelet-client.crt'), 'utf8'), key: readFileSync(join(pki, 'apiserver-kubelet-client.key'), 'utf8') };
    const ok = await get(api);
    assert.equal(ok.status, 404, ok.body);
  });

  it('kubectl logs of a finished pod, with --tail and --timestamps; errors as kube words them', async () => {
    await run('hello', 'echo one; echo two; echo three >&2');
    await until('hello Succeeded', async () => (await kubectl(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded');
    const all = await kubectl(['logs', 'hello']);
    assert.equal(all.code, 0, all.out);
    assert.deepEqual(all.stdout.split('\n').filter(Boolean).sort(), ['one', 'three', 'two']);
    const tail = await kubectl(['logs', 'hello', '--tail=1']);
    assert.equal(tail.stdout.split('\n').filter(Boolean).length, 1, tail.out);
    const ts = await kubectl(['logs', 'hello', '--timestamps', '--tail=1']);
    assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S+\n$/);
    const limited = await kubectl(['logs', 'hello', '--limit-bytes=2']);
    assert.equal(limited.stdout.length, 2, limited.out);
    const bad = await kubectl(['logs', 'hello', '-c', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod hello/);
    const prev = await kubectl(['logs', 'hello', '--previous']);
    assert.match(prev.stderr, /previous terminated container "hello" in pod "hello" not found/);
  });

  it('kubectl logs -f streams new lines until killed', async () => {
    await run('ticker', 'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done');
    await until('ticker Running', async () => (await kubectl(['get', 'pod', 'ticker', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');
    const child = spawn('kubectl', ['logs', '-f', 'ticker'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const first = await until('a first line', async () => /tick-(\d+)/.exec(out)?.[1], 15_000);
      // A line written after the stream began arrives on the same stream.
      await until('a later line', async () => new RegExp(`tick-${Number(first) + 3}\\n`).test(out), 15_000);
    } finally {
      child.kill('SIGKILL');
    }
    assert.match(out, /^tick-\d+\n/);
  });

  it('kubectl exec: output, exit codes, stdin', async () => {
    await run('sleeper', 'sleep 3600');
    await until('sleeper Running', async () => (await kubectl(['get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');
    const ok = await kubectl(['exec', 'sleeper', '--', 'sh', '-c', 'echo ok; echo err >&2']);
    assert.equal(ok.code, 0, ok.out);
    assert.equal(ok.stdout, 'ok\n');
    assert.equal(ok.stderr, 'err\n');
    const three = await kubectl(['exec', 'sleeper', '--', 'sh', '-c', 'exit 3']);
    assert.equal(three.code, 3, three.out);
    assert.match(three.stderr, /command terminated with exit code 3/);
    const cat = await kubectl(['exec', '-i', 'sleeper', '--', 'cat'], { input: 'piped-in\nsecond\n' });
    assert.equal(cat.code, 0, cat.out);
    assert.equal(cat.stdout, 'piped-in\nsecond\n');
    const bad = await kubectl(['exec', 'sleeper', '-c', 'nope', '--', 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod sleeper/);
  });

  it('a pod without a node: 400 from logs and exec', async () => {
    const r = await kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nowhere' }, spec: { schedulerName: 'none', containers: [{ name: 'a', image: 'busybox' }] } }) });
    assert.equal(r.code, 0, r.out);
    const logs = await kubectl(['logs', 'nowhere']);
    assert.match(logs.stderr, /pod nowhere does not have a host assigned/);
    const exec = await kubectl(['exec', 'nowhere', '--', 'true']);
    assert.match(exec.stderr, /pod nowhere does not have a host assigned/);
    assert.doesNotMatch(srv!.output(), /request failed/);
  });
});
