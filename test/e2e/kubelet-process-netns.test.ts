// `keelson kubelet --runtime process` as root: each pod gets a network namespace of its own by
// default (no flag) on a CNI bridge (a throwaway one here, with its own pod CIDR set in the Node's
// spec.podCIDR as node IPAM would, so the test shares nothing with other nodes on the machine).
// Two pods get distinct IPs from the CIDR and reach each other
// by pod IP (kubectl exec), an httpGet readiness probe reaches the pod IP, kubectl logs and
// kubectl port-forward work, a hostNetwork pod stays on the host, a kubelet killed with SIGKILL
// and started again removes what it left (the old namespace and the processes in it), and
// deleting the pods, then stopping the kubelet, leaves no netns, veth or bridge behind.
// `--pod-netns=false` keeps pods on the host network.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { isRoot } from '../helpers/netns.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const node = 'keelson-netns-node';
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** The pids in a namespace ([] while it does not exist). */
const pidsIn = (ns: string) => {
  try {
    return ip('netns', 'pids', ns).split('\n').filter(Boolean);
  } catch {
    return [];
  }
};
const podNetns = (uid: string) => `keelson-${uid.replace(/-/g, '').slice(0, 12)}`;
// The pods' program: an HTTP server answering with its name (node is on the host's PATH).
const server = (name: string, port: number, host = '0.0.0.0') => `require('http').createServer((q,s)=>s.end('hello from ${name}')).listen(${port},'${host}')`;

describe('keelson kubelet --runtime process: a network namespace per pod', { skip: !(isRoot() && existsSync('/usr/lib/cni/bridge')) && 'needs root and the CNI plugins' }, () => {
  const id = randomBytes(2).toString('hex');
  const bridge = `keelson-e${id}`;
  const cidr = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2), 16) % 250}.0/24`;
  const subnet = cidr.split('.').slice(0, 3).join('.');
  let api: TestApiServer;
  let kubelet: ChildProcess;
  let rootDir: string;
  let logs = '';
  const uids: string[] = [];
  const children: ChildProcess[] = [];
  const kubectl = (args: string[], input?: string) => api.kubectl(args, input === undefined ? undefined : { input });
  const pod = async (name: string, spec: Record<string, unknown>) => {
    const r = await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, ...spec } }));
    assert.equal(r.code, 0, r.out);
  };
  const get = async (name: string) => JSON.parse((await kubectl(['get', 'pod', name, '-o', 'json'])).stdout);

  const startKubelet = async (extra: string[] = []) => {
    kubelet = spawn(bin, ['kubelet', '--kubeconfig', api.kubeconfig, '--hostname-override', node, '--runtime', 'process', ...extra, '--pod-network-bridge', bridge, '--port', '0', '--root-dir', rootDir, '--node-status-update-frequency', '1s'], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kubelet.stdout!.on('data', (d) => (logs += d));
    kubelet.stderr!.on('data', (d) => (logs += d));
    await until('node Ready', async () => (await kubectl(['get', 'node', node])).stdout.includes(' Ready '), 20_000, () => logs);
  };

  before(async () => {
    api = await startTestApiServer();
    rootDir = await mkdtemp(join(tmpdir(), 'keelson-netns-kubelet-'));
    await startKubelet();
    assert.match(logs, /a network namespace per pod/);
  });

  it('a pod waits with FailedCreatePodSandBox until the node has a pod CIDR, then runs in it', async () => {
    await pod('early', { containers: [{ name: 'early', image: 'node', command: ['sleep', '300'] }] });
    const ev = await until('FailedCreatePodSandBox', async () => {
      const r = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=early,reason=FailedCreatePodSandBox', '-o', 'jsonpath={.items[*].message}']);
      return r.stdout;
    }, 20_000, () => logs);
    assert.match(ev, /^Failed to create pod sandbox: network is not ready: no pod CIDR for node "keelson-netns-node"/);
    assert.equal((await get('early')).status.phase, 'Pending');
    // No controller manager here: give the node its pod CIDR as node IPAM would.
    const r = await kubectl(['patch', 'node', node, '--type', 'merge', '-p', JSON.stringify({ spec: { podCIDR: cidr, podCIDRs: [cidr] } })]);
    assert.equal(r.code, 0, r.out);
    const early = await until('early Running', async () => {
      const p = await get('early');
      return p.status?.phase === 'Running' && p;
    }, 20_000, () => logs);
    uids.push(early.metadata.uid);
    assert.ok(early.status.podIP.startsWith(`${subnet}.`), early.status.podIP);
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    if (kubelet?.exitCode === null) {
      kubelet.kill('SIGTERM');
      await new Promise((r) => kubelet.once('exit', r));
    }
    await api?.stop();
    // Whatever a failed run left behind.
    for (const what of [...uids.map((u) => ['netns', 'del', podNetns(u)]), ['link', 'del', bridge]]) {
      try {
        ip(...what);
      } catch {
        /* gone */
      }
    }
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it('gives two pods their own IPs; they reach each other by pod IP; probes, logs and port-forward work', async () => {
    await pod('a', { containers: [{ name: 'a', image: 'node', command: ['node', '-e', `console.log('a starting');${server('a', 8080)}`], readinessProbe: { httpGet: { port: 8080, path: '/' }, periodSeconds: 1 } }] });
    await pod('b', { containers: [{ name: 'b', image: 'node', command: ['node', '-e', server('b', 9090, '127.0.0.1')] }] });
    const [a, b] = await until('both pods Ready with IPs', async () => {
      const pods = [await get('a'), await get('b')];
      return pods.every((p) => p.status?.podIP && p.status.conditions?.some((c: { type: string; status: string }) => c.type === 'ContainersReady' && c.status === 'True')) && pods;
    }, 30_000, () => logs);
    uids.push(a.metadata.uid, b.metadata.uid);
    assert.ok(a.status.podIP.startsWith(`${subnet}.`) && b.status.podIP.startsWith(`${subnet}.`), `${a.status.podIP} and ${b.status.podIP} in ${cidr}`);
    assert.notEqual(a.status.podIP, b.status.podIP);
    assert.deepEqual(a.status.podIPs, [{ ip: a.status.podIP }]);
    assert.match(ip('netns', 'list'), new RegExp(podNetns(a.metadata.uid)));
    // kubectl exec runs in the pod's namespace: eth0 holds the pod IP; b reaches a by pod IP.
    const addr = await kubectl(['exec', 'b', '--', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    assert.match(addr.stdout, new RegExp(`inet ${b.status.podIP.replaceAll('.', '\\.')}/24`), addr.out);
    const curl = await kubectl(['exec', 'b', '--', 'curl', '-s', '--max-time', '5', `http://${a.status.podIP}:8080/`]);
    assert.equal(curl.stdout, 'hello from a', curl.out);
    // a's port is not on the host's loopback: the pods are not on the host network.
    const host = await kubectl(['exec', 'b', '--', 'curl', '-s', '--max-time', '2', 'http://127.0.0.1:8080/']);
    assert.notEqual(host.code, 0, host.out);
    assert.match((await kubectl(['logs', 'a'])).stdout, /a starting/);
    // port-forward reaches b's server that listens on the pod's own loopback only.
    const pf = spawn('kubectl', ['port-forward', 'pod/b', ':9090'], { env: { ...process.env, KUBECONFIG: api.kubeconfig, KUBECACHEDIR: api.cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(pf);
    let out = '';
    pf.stdout!.on('data', (d) => (out += d));
    pf.stderr!.on('data', (d) => (out += d));
    const local = await until('port-forward', async () => Number(/Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out)?.[1]) || undefined, 20_000, () => out);
    const body = await (await fetch(`http://127.0.0.1:${local}/`)).text();
    assert.equal(body, 'hello from b');
    pf.kill('SIGKILL');
  });

  it('keeps a hostNetwork pod on the host network', async () => {
    await pod('h', { hostNetwork: true, containers: [{ name: 'h', image: 'node', command: ['sleep', '300'] }] });
    const h = await until('h Running', async () => {
      const p = await get('h');
      return p.status?.phase === 'Running' && p;
    }, 20_000, () => logs);
    assert.equal(h.status.podIP, h.status.hostIP);
    assert.doesNotMatch(ip('netns', 'list'), new RegExp(podNetns(h.metadata.uid)));
    // Gone before the SIGKILL below: a host-network process pod outlives a killed kubelet.
    const r = await kubectl(['delete', 'pod', 'h', '--grace-period=1']);
    assert.equal(r.code, 0, r.out);
  });

  it('a kubelet killed with SIGKILL and started again removes what it left and re-creates the pod network', async () => {
    const before = await get('a');
    const ns = podNetns(before.metadata.uid);
    const oldPids = pidsIn(ns);
    assert.ok(oldPids.length > 0, 'a runs in its namespace');
    kubelet.kill('SIGKILL');
    await new Promise((r) => kubelet.once('exit', r));
    assert.match(ip('netns', 'list'), new RegExp(ns), 'SIGKILL leaves the namespace');
    await startKubelet();
    await until('a re-created in a fresh namespace', async () => {
      const pids = pidsIn(ns);
      return pids.length > 0 && pids.every((p) => !oldPids.includes(p));
    }, 30_000, () => logs);
    // Killed: gone, or a zombie waiting for a reaper (its parent, the old kubelet, is dead).
    const alive = (pid: string) => {
      try {
        return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (const p of oldPids) assert.ok(!alive(p), `old process ${p} killed`);
    const curl = await until('b reaches a again', async () => {
      const a = await get('a');
      const r = a.status?.podIP && (await kubectl(['exec', 'b', '--', 'curl', '-s', '--max-time', '3', `http://${a.status.podIP}:8080/`]));
      return r && r.stdout === 'hello from a' && r.stdout;
    }, 30_000, () => logs);
    assert.equal(curl, 'hello from a');
  });

  it('deleting the pods removes their namespaces and veths; stopping the kubelet removes the bridge', async () => {
    const r = await kubectl(['delete', 'pod', 'a', 'b', 'early', '--grace-period=1']);
    assert.equal(r.code, 0, r.out);
    await until('pods gone', async () => (await kubectl(['get', 'pods', '-o', 'name'])).stdout.trim() === '', 30_000, () => logs);
    const netns = ip('netns', 'list');
    for (const u of uids) assert.doesNotMatch(netns, new RegExp(podNetns(u)));
    assert.equal(ip('-o', 'link', 'show', 'master', bridge).trim(), '');
    kubelet.kill('SIGTERM');
    await new Promise((r) => kubelet.once('exit', r));
    assert.throws(() => ip('link', 'show', bridge), 'the bridge is removed on shutdown');
  });

  it('--pod-netns=false keeps pods on the host network', async () => {
    logs = '';
    await startKubelet(['--pod-netns=false']);
    await until('the kubelet says so', async () => /containers share the host network \(pod IP = host IP\) as --pod-netns=false asks/.test(logs), 20_000, () => logs);
    await pod('plain', { terminationGracePeriodSeconds: 1, containers: [{ name: 'plain', image: 'node', command: ['sleep', '300'] }] });
    const p = await until('plain Running', async () => {
      const x = await get('plain');
      return x.status?.phase === 'Running' && x;
    }, 20_000, () => logs);
    uids.push(p.metadata.uid);
    assert.equal(p.status.podIP, p.status.hostIP);
    assert.doesNotMatch(ip('netns', 'list'), new RegExp(podNetns(p.metadata.uid)));
    assert.throws(() => ip('link', 'show', bridge), 'no bridge either');
    const r = await kubectl(['delete', 'pod', 'plain', '--grace-period=1']);
    assert.equal(r.code, 0, r.out);
  });
});
