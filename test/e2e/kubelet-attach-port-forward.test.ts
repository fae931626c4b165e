// kubectl attach and kubectl port-forward against `keelson server --runtime process`: the
// apiserver relays pods/attach (WebSocket v5.channel.k8s.io) and pods/portforward (SPDY/3.1
// tunnelled in WebSocket, kubectl's default since 1.31, or a raw SPDY upgrade with
// KUBECTL_PORT_FORWARD_WEBSOCKETS=false; the client libraries' WebSocket channel protocol) to the
// node's kubelet server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { freePort } from '../helpers/etcd.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';
import { testPodNetwork } from '../helpers/pod-network.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
// Process pods get network namespaces (as root): on a pod network of this test's own.
const net = testPodNetwork();
const node = 'keelson-pf-node';

/** POSTs `body` to 127.0.0.1:port and returns the answer's body. */
function post(port: number, body: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (out += d));
      res.on('end', () => resolve(out));
      // A connection cut in the middle of the answer fails the request instead of hanging it.
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A tiny HTTP server in the pod (a host process, in a network namespace of its own as root): answers
// "<bytes received>:<reply>" where reply is `size` bytes of "x" (or "hello from <name>").
/**
 * The first request through a new port-forward: a pod reads Running as soon as its process
 * starts, possibly before its server listens, and the kubelet then cuts the forwarded connection
 * (connection refused in the pod). Retried until the server answers.
 */
async function firstPost(port: number, body: Buffer | string): Promise<string> {
  let last: unknown;
  return until('the pod server answering through the port-forward', () => post(port, body).catch((e) => ((last = e), undefined)), 15_000, () => String(last));
}

const httpServer = (port: number, size = 0, name = '') =>
  `const r=${size}?'x'.repeat(${size}):'hello from ${name}';require('http').createServer((q,s)=>{let n=0;q.on('data',d=>n+=d.length);q.on('end',()=>s.end(n+':'+r))}).listen(${port})`;

describe('kubectl attach and port-forward through the kubelet server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-attach-pf-'));
  let proc: ChildProcess;
  let kubectl: ReturnType<typeof kubectlWith>;
  let output = '';
  const children: ChildProcess[] = [];
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, KUBECONFIG: join(dir, 'admin.kubeconfig'), KUBECACHEDIR: join(dir, 'kcache'), ...extra });

  /** Starts `kubectl port-forward target :remote` and resolves with the local port it chose. */
  const portForward = async (target: string, remote: number, extraEnv: Record<string, string> = {}) => {
    const child = spawn('kubectl', ['port-forward', target, `:${remote}`], { env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const local = await until(`port-forward ${target}`, async () => Number(/Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out)?.[1]) || undefined, 20_000, () => out);
    return { local, child, out: () => out };
  };
  const runPod = async (name: string, script: string, extra: string[] = []) => {
    const r = await kubectl(['run', name, '--image=node', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, ...extra, '--', 'node', '-e', script]);
    assert.equal(r.code, 0, r.out);
    await until(`${name} Running`, async () => (await kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 20_000);
  };

  before(async () => {
    const port = await freePort();
    proc = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(port), '--etcd-listen-client-urls', `http://127.0.0.1:${await freePort()}`, '--runtime', 'process', ...net.serverArgs, '--node-name', node], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    await until('admin.kubeconfig', async () => existsSync(join(dir, 'admin.kubeconfig')), 20_000, () => output);
    kubectl = kubectlWith({ kubeconfig: join(dir, 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
    await until('a Ready node', async () => new RegExp(`${node}\\s+Ready`).test((await kubectl(['get', 'nodes'])).stdout), 20_000, () => output);
    await until('default service account', async () => (await kubectl(['get', 'sa', 'default'])).code === 0);
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await kubectl?.(['delete', 'pods', '--all', '--grace-period=0', '--force']).catch(() => undefined);
    proc?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    proc?.kill('SIGKILL');
    await net.cleanup(join(dir, 'kubelet'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('port-forward to a pod (WebSocket tunnel): several connections, megabytes both ways', async () => {
    const podPort = await freePort();
    await runPod('web', httpServer(podPort, 0, 'web'));
    const pf = await portForward('pod/web', podPort);
    assert.equal(await firstPost(pf.local, 'abc'), '3:hello from web');
    const answers = await Promise.all([1, 2, 3].map((n) => post(pf.local, 'y'.repeat(n))));
    assert.deepEqual(answers, ['1:hello from web', '2:hello from web', '3:hello from web']);
    const bigPort = await freePort();
    await runPod('big', httpServer(bigPort, 3_000_000));
    const pf2 = await portForward('pod/big', bigPort);
    const big = await firstPost(pf2.local, Buffer.alloc(2_000_000, 1));
    assert.equal(big.length, '2000000:'.length + 3_000_000);
    assert.ok(big.startsWith('2000000:xxx'));
    assert.match(pf.out(), /Handling connection for \d+/);
  });

  it('port-forward over raw SPDY (KUBECTL_PORT_FORWARD_WEBSOCKETS=false) and to a service', async () => {
    const podPort = await freePort();
    await runPod('spdy', httpServer(podPort, 0, 'spdy'), ['--labels=app=spdy']);
    const pf = await portForward('pod/spdy', podPort, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    assert.equal(await firstPost(pf.local, 'hi'), '2:hello from spdy');
    // svc/x: kubectl resolves the service's targetPort to a pod behind it.
    const svc = await kubectl(['create', 'service', 'clusterip', 'spdy', `--tcp=80:${podPort}`]);
    assert.equal(svc.code, 0, svc.out);
    const viaSvc = await portForward('svc/spdy', 80);
    assert.equal(await post(viaSvc.local, 'hey'), '3:hello from spdy');
  });

  it('@kubernetes/client-node PortForward (the WebSocket channel protocol, v4.channel.k8s.io): data both ways, errors on the error channel', async () => {
    const file = new k8s.KubeConfig();
    file.loadFromFile(join(dir, 'admin.kubeconfig'));
    const kc = new k8s.KubeConfig();
    // The server's certificate is for its node names; the client trusts it without the name check.
    kc.loadFromOptions({ clusters: file.clusters.map((c) => ({ ...c, skipTLSVerify: true })), users: file.users, contexts: file.contexts, currentContext: file.currentContext });
    const podPort = await freePort();
    await runPod('lib', httpServer(podPort, 0, 'lib'));
    /** One request through one client-node port-forward session; resolves with what came back on each channel. */
    const through = (port: number, body: string) =>
      new Promise<{ data: string; error: string }>((resolve, reject) => {
        const input = new PassThrough();
        let data = '';
        let error = '';
        const output = new Writable({ write: (c, _e, cb) => ((data += c.toString()), cb()) });
        const errors = new Writable({ write: (c, _e, cb) => ((error += c.toString()), cb()) });
        new k8s.PortForward(kc).portForward('default', 'lib', [port], output, errors, input).then((ws) => {
          (ws as { on(e: string, f: () => void): void }).on('close', () => resolve({ data, error }));
          input.write(`POST / HTTP/1.0\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        }, reject);
      });
    const ok = await until('the pod server answering through client-node', async () => {
      const r = await through(podPort, 'abcd');
      return r.data.includes('4:hello from lib') ? r : undefined;
    }, 15_000);
    assert.match(ok.data, /^HTTP\/1\.[01] 200 OK/);
    assert.equal(ok.error, '');
    const refused = await through(podPort + 1 === 65536 ? 1 : podPort + 1, 'x');
    assert.equal(refused.data, '');
    assert.match(refused.error, /^error forwarding port \d+ to pod \S+, uid : .*connection refused/);
  });

  it('port-forward and attach errors as kube words them: nothing listening, pod not running, no node', async () => {
    const podPort = await freePort();
    await runPod('idle', 'setInterval(()=>{},1000)');
    const pf = await portForward('pod/idle', podPort);
    await post(pf.local, 'x').catch(() => undefined);
    await until('the forwarding error', async () => pf.out().includes(`error forwarding port ${podPort} to pod`), 10_000, pf.out);
    assert.match(pf.out(), new RegExp(`an error occurred forwarding \\d+ -> ${podPort}: error forwarding port ${podPort} to pod \\S+, uid : dial tcp4 127.0.0.1:${podPort}: connect: connection refused`));
    // A pod no node runs (unschedulable) is not Running: kubectl refuses before connecting.
    const pending = await kubectl(['run', 'pending', '--image=node', '--restart=Never', '--overrides={"spec":{"nodeSelector":{"no":"such-node"}}}', '--', 'true']);
    assert.equal(pending.code, 0, pending.out);
    const r = await kubectl(['port-forward', 'pod/pending', '8080:8080']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unable to forward port because pod is not running. Current status=Pending/);
    // attach goes to the apiserver, which has no node to send it to.
    const attach = await kubectl(['attach', 'pending'], { timeoutMs: 20_000 });
    assert.notEqual(attach.code, 0);
    assert.match(attach.stderr, /pod pending does not have a host assigned/);
  });

  it('kubectl attach -i: the container gets stdin, the client its output; detaching leaves it running', async () => {
    const apply = await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'echo' },
        spec: { nodeName: node, containers: [{ name: 'echo', image: 'busybox', stdin: true, command: ['sh', '-c', 'echo started; while read l; do echo echo:$l; done'] }] },
      }),
    });
    assert.equal(apply.code, 0, apply.out);
    await until('echo Running', async () => (await kubectl(['get', 'pod', 'echo', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 20_000);
    const child = spawn('kubectl', ['attach', '-i', 'echo'], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await until('attached', async () => {
      child.stdin!.write('one\n');
      return out.includes('echo:one');
    }, 15_000, () => out);
    child.stdin!.write('two\n');
    await until('a second line', async () => out.includes('echo:two'), 10_000, () => out);
    child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await kubectl(['get', 'pod', 'echo', '-o', 'jsonpath={.status.phase}'])).stdout, 'Running');
    const logs = await kubectl(['logs', 'echo']);
    assert.match(logs.stdout, /^started\n(echo:one\n)+echo:two\n$/);
    const bad = await kubectl(['attach', 'echo', '-c', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope not found in pod echo/);
  });

  it('kubectl attach to a container that is not running: the kubelet\'s container not found', async () => {
    const apply = await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'two' },
        spec: { nodeName: node, restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }, { name: 'done', image: 'busybox', command: ['true'] }] },
      }),
    });
    assert.equal(apply.code, 0, apply.out);
    await until('done terminated', async () => (await kubectl(['get', 'pod', 'two', '-o', 'jsonpath={.status.containerStatuses[?(@.name=="done")].state.terminated.reason}'])).stdout === 'Completed', 20_000);
    const r = await kubectl(['attach', 'two', '-c', 'done'], { timeoutMs: 20_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container not found \("done"\)/);
  });

  it('exec and attach over SPDY/3.1 (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false): stdin to its end, exit codes', async () => {
    const spdy = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
    const ok = await kubectl(['exec', '-i', 'echo', '--', 'sh', '-c', 'cat; echo err >&2'], { input: 'in\n', env: spdy, timeoutMs: 20_000 });
    assert.equal(ok.code, 0, ok.out);
    assert.equal(ok.stdout, 'in\n');
    assert.equal(ok.stderr, 'err\n');
    const failed = await kubectl(['exec', 'echo', '--', 'sh', '-c', 'exit 7'], { env: spdy, timeoutMs: 20_000 });
    assert.equal(failed.code, 7, failed.out);
    const child = spawn('kubectl', ['attach', '-i', 'echo'], { env: env(spdy), stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await until('attached over SPDY', async () => {
      child.stdin!.write('three\n');
      return out.includes('echo:three');
    }, 15_000, () => out);
    child.kill('SIGKILL');
  });

  it('kubectl run -i --rm and -it --rm: stdin to the end, the exit code, the pod deleted', async () => {
    const r = await kubectl(['run', 'rr', '-i', '--rm', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sh', '-c', 'while read l; do echo got:$l; done; echo bye; exit 3'], { input: 'a\nb\n' });
    assert.equal(r.code, 3, r.out);
    assert.match(r.stdout, /got:a\ngot:b\nbye\n/);
    assert.match(r.out, /pod "rr" deleted/);
    // -t without a terminal: kubectl says so and goes on as -i (the pod still asks for a tty).
    const t = await kubectl(['run', 'rt', '-it', '--rm', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sh', '-c', 'read l; echo got:$l'], { input: 'x\n' });
    assert.equal(t.code, 0, t.out);
    assert.match(t.stdout, /got:x/);
    assert.match(t.stderr, /Unable to use a TTY/);
  });
});
