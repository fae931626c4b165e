// Two nodes on the process runtime (test/helpers/multinode.ts, each "host" a network namespace
// of its own): `keelson server` and a `keelson agent` joined with a bootstrap token. As root the
// process runtime gives every pod a network namespace on its node's keelson0 bridge, with an IP
// from the node's pod CIDR, and each kubelet keeps a route to the other node's pod CIDR via its
// InternalIP (host-gw): a pod on one node reaches a pod on the other by pod IP, both ways; the
// service proxy takes a pod to both of them through a ClusterIP, and another host to them through
// a NodePort.
// Root with the CNI plugins and nsenter only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startMultiNode, type MultiNode } from '../helpers/multinode.js';
import { podNetnsByDefault } from '../helpers/pod-network.js';
import { until } from '../helpers/until.js';

const skip = !podNetnsByDefault() ? 'needs root and the CNI plugins' : spawnSync('nsenter', ['--version']).status !== 0 ? 'nsenter (util-linux) is missing' : undefined;
if (skip) console.log(`# multinode-process: skipped: ${skip}`);

// An HTTP server answering with the pod's name (node is on the host's PATH).
const server = (name: string) => `require('http').createServer((q,s)=>s.end('hello from ${name}')).listen(8080,'0.0.0.0')`;

describe('process-runtime pods on two nodes reach each other by pod IP', { skip, timeout: 180_000 }, () => {
  let mn: MultiNode;
  const k = (args: string[], input?: string) => mn.kubectl(args, { input, timeoutMs: 30_000 });
  const logs = () => mn.hosts.map((h) => `--- ${h.nodeName}\n${h.logs().split('\n').filter((l) => !l.includes('"level":30')).join('\n').slice(-2500)}`).join('\n');

  before(async () => {
    mn = await startMultiNode({ agents: 1, runtime: 'process' });
  });
  after(async () => {
    await mn?.cleanup();
  });

  it('each node has its own pod CIDR and a route to the other one via its InternalIP', async () => {
    const nodes = await until('two Ready nodes with pod CIDRs', async () => {
      const r = await k(['get', 'nodes', '-o', 'json']);
      const items = r.code === 0 ? (JSON.parse(r.stdout).items as any[]) : [];
      const ready = items.filter((n) => n.spec?.podCIDR && n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 2 && ready;
    }, 60_000, logs);
    assert.notEqual(nodes[0].spec.podCIDR, nodes[1].spec.podCIDR);
    for (const h of mn.hosts) {
      const other = nodes.find((n: any) => n.metadata.name !== h.nodeName);
      const via = other.status.addresses.find((a: any) => a.type === 'InternalIP').address;
      await until(`${h.nodeName}: route to ${other.spec.podCIDR}`, async () => h.exec('ip', ['route', 'show', other.spec.podCIDR]).stdout.includes(`via ${via}`) || undefined, 30_000, logs);
    }
  });

  it('a pod on each node, in its own network namespace; each reaches the other by pod IP', async () => {
    for (const h of mn.hosts) {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${h.index}`, labels: { app: 'web' } }, spec: { nodeName: h.nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'node', command: ['node', '-e', server(`p${h.index}`)], readinessProbe: { httpGet: { port: 8080, path: '/' }, periodSeconds: 1 } }] } };
      const r = await k(['apply', '-f', '-'], JSON.stringify(pod));
      assert.equal(r.code, 0, r.out);
    }
    const pods = await until('both pods Ready', async () => {
      const ps = await Promise.all(mn.hosts.map(async (h) => JSON.parse((await k(['get', 'pod', `p${h.index}`, '-o', 'json'])).stdout || '{}')));
      return ps.every((p) => p.status?.podIP && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) && ps;
    }, 60_000, logs);
    const nodes = JSON.parse((await k(['get', 'nodes', '-o', 'json'])).stdout).items as any[];
    for (const [i, p] of pods.entries()) {
      const node = nodes.find((n) => n.metadata.name === mn.hosts[i].nodeName);
      assert.notEqual(p.status.podIP, p.status.hostIP, 'not on the host network');
      assert.equal(p.status.hostIP, mn.hosts[i].ip);
      const [net] = node.spec.podCIDR.split('.0/');
      assert.ok(p.status.podIP.startsWith(`${net.split('.').slice(0, 3).join('.')}.`), `${p.status.podIP} in ${node.spec.podCIDR}`);
    }
    for (const [from, to] of [[0, 1], [1, 0]]) {
      const got = await until(`p${from} reaches p${to} by pod IP`, async () => {
        const r = await k(['exec', `p${from}`, '--', 'curl', '-s', '--max-time', '3', `http://${pods[to].status.podIP}:8080/`]);
        return r.code === 0 && r.stdout;
      }, 30_000, logs);
      assert.equal(got, `hello from p${to}`);
    }
  });

  it('a ClusterIP service takes a pod to both pods; a NodePort takes another host to them', async () => {
    const r = await k(['expose', 'pod', 'p0', '--name', 'web', '--port', '80', '--target-port', '8080', '--type', 'NodePort', '--selector', 'app=web']);
    assert.equal(r.code, 0, r.out);
    const svc = JSON.parse((await k(['get', 'svc', 'web', '-o', 'json'])).stdout);
    const seen = new Set<string>();
    await until('answers from both pods through the ClusterIP', async () => {
      const x = await k(['exec', 'p0', '--', 'curl', '-s', '--max-time', '3', `http://${svc.spec.clusterIP}/`]);
      if (x.code === 0 && /^hello from p[01]$/.test(x.stdout)) seen.add(x.stdout);
      return seen.size === 2;
    }, 60_000, () => `${[...seen]}\n${logs()}`);
    // From the agent's namespace to the server host's NodePort.
    const got = await until('the NodePort of mn-0 from mn-1', async () => {
      const x = mn.hosts[1].exec('curl', ['-s', '--max-time', '3', `http://${mn.hosts[0].ip}:${svc.spec.ports[0].nodePort}/`]);
      return x.code === 0 && x.stdout;
    }, 30_000, logs);
    assert.match(got, /^hello from p[01]$/);
  });
});
