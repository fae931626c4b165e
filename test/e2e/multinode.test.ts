// Three nodes on one machine (test/helpers/multinode.ts): `keelson server --runtime cri` in one
// network namespace, two `keelson agent --runtime cri` joined with a bootstrap token in two
// others, each with its own containerd. With the real kubectl: the nodes are Ready with their own
// pod CIDRs; a deployment of the HTTP image spreads over the three nodes; a client pod reaches it
// by ClusterIP and by DNS name with answers from several replicas, and reaches pods on other
// nodes directly; a NodePort answers from another host's namespace; a killed agent's node goes
// NotReady and its pod is replaced on the others. Root with containerd only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { criSkipReason } from '../../src/kubelet/runtime/cri/test-support.js';
import { startMultiNode, type MultiNode } from '../helpers/multinode.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const skip = criSkipReason() ?? (spawnSync('nsenter', ['--version']).status !== 0 ? 'nsenter (util-linux) is missing' : undefined);
if (skip) console.log(`# multinode: skipped: ${skip}`);

const HTTPD = 'localhost/keelson/httpd:1';
const BUSYBOX = 'localhost/keelson/busybox:1';

const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        // Short tolerations: a pod on a lost node is evicted 2 s after the node is tainted.
        tolerations: [
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
        ],
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } } }] } },
        containers: [{ name: 'httpd', image: HTTPD, imagePullPolicy: 'Never', ports: [{ containerPort: 80 }] }],
      },
    },
  },
};

describe('multi-node cluster on one machine', { skip, timeout: 240_000 }, () => {
  let mn: MultiNode;
  let dir: string;
  const k = (args: string[], input?: string) => mn.kubectl(args, { input, timeoutMs: 30_000 });
  const logs = () => mn.hosts.map((h) => `--- ${h.nodeName}\n${h.logs().split('\n').filter((l) => !l.includes('"level":30')).join('\n').slice(-2500)}`).join('\n');
  const webPods = async () => JSON.parse((await k(['get', 'pods', '-l', 'app=web', '-o', 'json'])).stdout).items as any[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-mn-images-'));
    execFileSync(bin, ['images', 'build', 'httpd', 'busybox', '--output-dir', dir], { stdio: 'pipe' });
    mn = await startMultiNode({ agents: 2, runtime: 'cri', images: [join(dir, 'httpd.tar'), join(dir, 'busybox.tar')], serverArgs: ['--node-monitor-period', '1s', '--node-monitor-grace-period', '16s'] });
  });
  after(async () => {
    await mn?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('three nodes are Ready, each with its own pod CIDR and InternalIP; the agents joined by CSR', async () => {
    const nodes = await until(
      'three Ready nodes with pod CIDRs',
      async () => {
        const items = JSON.parse((await k(['get', 'nodes', '-o', 'json'])).stdout || '{"items":[]}').items as any[];
        const ready = items.filter((n) => n.spec?.podCIDR && n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
        return ready.length === 3 && items;
      },
      60_000,
      logs,
    );
    assert.deepEqual(nodes.map((n: any) => n.metadata.name).sort(), ['mn-0', 'mn-1', 'mn-2']);
    assert.equal(new Set(nodes.map((n: any) => n.spec.podCIDR)).size, 3);
    for (const h of mn.hosts) {
      const n = nodes.find((x: any) => x.metadata.name === h.nodeName);
      assert.equal(n.status.addresses.find((a: any) => a.type === 'InternalIP').address, h.ip);
      assert.match(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
    }
    const csrs = (await k(['get', 'csr', '--no-headers'])).stdout.trim().split('\n');
    assert.equal(csrs.filter((l) => /kube-apiserver-client-kubelet\s+system:bootstrap:\w{6}\s+\S+\s+Approved,Issued/.test(l)).length, 2, csrs.join('\n'));
  });

  let clusterIP = '';
  it('a deployment of the HTTP image spreads over the three nodes; a client pod reaches it by ClusterIP and DNS name', async () => {
    assert.equal((await k(['apply', '-f', '-'], JSON.stringify(web))).code, 0);
    const svc = await k(['expose', 'deployment', 'web', '--port', '80', '--type', 'NodePort']);
    assert.equal(svc.code, 0, svc.out);
    const client = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client' }, spec: { nodeName: 'mn-1', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: BUSYBOX, imagePullPolicy: 'Never', command: ['sleep', '3600'] }] } };
    assert.equal((await k(['apply', '-f', '-'], JSON.stringify(client))).code, 0);
    const pods = await until(
      'three web pods Running',
      async () => {
        const p = (await webPods()).filter((x) => x.status?.phase === 'Running' && x.status?.podIP);
        return p.length === 3 && p;
      },
      90_000,
      logs,
    );
    assert.deepEqual(pods.map((p: any) => p.spec.nodeName).sort(), ['mn-0', 'mn-1', 'mn-2']);
    await until('client Running', async () => (await k(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 60_000, logs);
    clusterIP = (await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    const names = new Set(pods.map((p: any) => p.metadata.name));
    const seen = new Set<string>();
    for (let i = 0; i < 12 && seen.size < 2; i++) {
      const r = await k(['exec', 'client', '--', 'wget', '-q', '-O', '-', `http://${clusterIP}/`]);
      assert.equal(r.code, 0, r.out);
      assert.ok(names.has(r.stdout.trim()), `an answer from a web pod: ${r.out}`);
      seen.add(r.stdout.trim());
    }
    assert.ok(seen.size >= 2, `answers from more than one replica: ${[...seen]}`);
    const dns = await k(['exec', 'client', '--', 'wget', '-q', '-O', '-', 'http://web.default.svc.cluster.local/']);
    assert.equal(dns.code, 0, dns.out);
    assert.ok(names.has(dns.stdout.trim()), dns.out);
  });

  it('pod to pod across nodes, and a NodePort from another host', async () => {
    for (const p of (await webPods()).filter((x) => x.spec.nodeName !== 'mn-1')) {
      const r = await k(['exec', 'client', '--', 'wget', '-q', '-O', '-', `http://${p.status.podIP}/`]);
      assert.equal(r.stdout.trim(), p.metadata.name, `client on mn-1 -> ${p.spec.nodeName}: ${r.out}`);
    }
    const nodePort = (await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).stdout;
    const names = new Set((await webPods()).map((p) => p.metadata.name));
    const r = mn.hosts[2].exec('curl', ['-s', '-m', '5', `http://${mn.hosts[1].ip}:${nodePort}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(names.has(r.stdout.trim()), `NodePort of mn-1 from mn-2's host: ${r.stdout}`);
  });

  it('a killed agent: its node goes NotReady and its pod is replaced on the other nodes', async () => {
    const lost = (await webPods()).find((p) => p.spec.nodeName === 'mn-2')!;
    await mn.stopHost(2, 'SIGKILL');
    await until(
      'mn-2 NotReady',
      async () => (await k(['get', 'node', 'mn-2', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'Unknown',
      45_000,
      logs,
    );
    const replaced = await until(
      'a replacement web pod Running elsewhere',
      async () => {
        const p = (await webPods()).filter((x) => !x.metadata.deletionTimestamp && x.status?.phase === 'Running' && x.spec.nodeName !== 'mn-2');
        return p.length === 3 && p;
      },
      60_000,
      logs,
    );
    assert.ok(!replaced.some((p: any) => p.metadata.name === lost.metadata.name));
    const r = await k(['exec', 'client', '--', 'wget', '-q', '-O', '-', `http://${clusterIP}/`]);
    assert.equal(r.code, 0, r.out);
  });
});
