// `kubectl describe node`, `kubectl drain` and the eviction API against `keelson server
// --runtime process`, with a PodDisruptionBudget: the disruption controller keeps the budget's status, the eviction
// subresource refuses what would break it with the 429 kubectl drain retries, and lets the
// rest go. On a single node the replacements cannot be scheduled (the node is cordoned), so a
// drain under minAvailable=1 evicts one pod of two and then waits, as on a real cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const node = 'keelson-drain-node';

describe('kubectl drain with a PodDisruptionBudget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-drain-pdb-'));
  let srv: TestServer | undefined;
  let kubectl: ReturnType<typeof kubectlWith>;

  before(async () => {
    srv = await startTestServer({ dir, node, args: ['--runtime', 'process'] });
    kubectl = srv.kubectl;
  });
  after(async () => {
    await srv?.stop();
  });

  const json = async (args: string[]) => {
    const r = await kubectl([...args, '-o', 'json']);
    assert.equal(r.code, 0, r.out);
    return JSON.parse(r.stdout);
  };

  it('kubectl describe node shows the kubelet\'s start events and the host\'s ids', async () => {
    await until('node events', async () => /Starting kubelet\./.test((await kubectl(['describe', 'node', node])).stdout), 20_000);
    const r = await kubectl(['describe', 'node', node]);
    assert.match(r.stdout, /Normal\s+Starting\s+\S+\s+kubelet\s+Starting kubelet\./);
    assert.match(r.stdout, new RegExp(`Normal\\s+NodeHasSufficientMemory\\s+\\S+\\s+kubelet\\s+Node ${node} status is now: NodeHasSufficientMemory`));
    assert.match(r.stdout, new RegExp(`Normal\\s+NodeReady\\s+\\S+\\s+kubelet\\s+Node ${node} status is now: NodeReady`));
    assert.match(r.stdout, /Boot ID:\s+[0-9a-f-]{36}\n/);
  });

  it('the disruption controller keeps the budget status', async () => {
    let r = await kubectl(['create', 'deployment', 'web', '--image=busybox', '--replicas=2', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.out);
    r = await kubectl(['create', 'pdb', 'web', '--selector=app=web', '--min-available=1']);
    assert.equal(r.code, 0, r.out);
    r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(r.code, 0, r.out);
    await until('budget status', async () => (await json(['get', 'pdb', 'web'])).status?.currentHealthy === 2, 20_000);
    const pdb = await json(['get', 'pdb', 'web']);
    assert.equal(pdb.status.observedGeneration, pdb.metadata.generation);
    assert.deepEqual([pdb.status.expectedPods, pdb.status.desiredHealthy, pdb.status.disruptionsAllowed], [2, 1, 1]);
    const cond = pdb.status.conditions.find((c: { type: string }) => c.type === 'DisruptionAllowed');
    assert.deepEqual([cond.status, cond.reason], ['True', 'SufficientPods']);
    r = await kubectl(['get', 'pdb', 'web']);
    assert.match(r.stdout, /^web\s+1\s+N\/A\s+1\s+/m);
  });

  it('a dry-run eviction takes nothing from the budget', async () => {
    const pods = await json(['get', 'pods', '-l', 'app=web']);
    const name = pods.items[0].metadata.name;
    const ev = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, deleteOptions: { dryRun: ['All'] } });
    const r = await kubectl(['create', '--raw', `/api/v1/namespaces/default/pods/${name}/eviction`, '-f', '-'], { input: ev });
    assert.equal(r.code, 0, r.out);
    const pdb = await json(['get', 'pdb', 'web']);
    assert.equal(pdb.status.disruptionsAllowed, 1);
    assert.equal(pdb.status.disruptedPods, undefined);
    assert.equal((await kubectl(['get', 'pod', name])).code, 0);
  });

  it('drain evicts one pod and then waits on the budget', async () => {
    const r = await kubectl(['drain', node, '--ignore-daemonsets', '--timeout=12s'], { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /error when evicting pods\/"web-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    assert.match(r.out, /global timeout reached: 12s/);
    const pods = (await json(['get', 'pods', '-l', 'app=web'])).items;
    const running = pods.filter((p: { status: { phase: string }; metadata: { deletionTimestamp?: string } }) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
    assert.equal(running.length, 1, JSON.stringify(pods.map((p: { metadata: { name: string }; status: { phase: string } }) => [p.metadata.name, p.status.phase])));
    const pdb = await json(['get', 'pdb', 'web']);
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.equal(pdb.status.conditions.find((c: { type: string }) => c.type === 'DisruptionAllowed').reason, 'InsufficientPods');
  });

  it('the eviction API answers 429 TooManyRequests with a DisruptionBudget cause', async () => {
    const pods = (await json(['get', 'pods', '-l', 'app=web', '--field-selector=status.phase=Running'])).items;
    const name = pods[0].metadata.name;
    const ev = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } });
    const r = await kubectl(['create', '--raw', `/api/v1/namespaces/default/pods/${name}/eviction`, '-f', '-', '-v=8'], { input: ev });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /Response Status: 429 Too Many Requests/);
    assert.match(r.out, /Error from server \(TooManyRequests\): Cannot evict pod as it would violate the pod's disruption budget\./);
    // -v=8 prints the Status it got, indented.
    assert.match(r.out, /"reason": "DisruptionBudget",\s+"message": "The disruption budget web needs 1 healthy pods and has 1 currently"/);
  });

  it('a Pending pod is evicted regardless of the budget; uncordon lets the rest run', async () => {
    const pending = (await json(['get', 'pods', '-l', 'app=web', '--field-selector=status.phase=Pending'])).items;
    assert.equal(pending.length, 1);
    const name = pending[0].metadata.name;
    const ev = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } });
    const r = await kubectl(['create', '--raw', `/api/v1/namespaces/default/pods/${name}/eviction`, '-f', '-'], { input: ev });
    assert.equal(r.code, 0, r.out);
    assert.equal((await kubectl(['uncordon', node])).code, 0);
    await until('budget recovers', async () => (await json(['get', 'pdb', 'web'])).status?.disruptionsAllowed === 1, 30_000);
  });

  it('an evicted pod gets the DisruptionTarget condition before it goes (reason EvictionByEvictionAPI)', async () => {
    // The container ignores SIGTERM, so the pod stays Terminating for its grace period.
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'keelson-evicted', labels: { app: 'keelson-evicted' } },
      spec: { terminationGracePeriodSeconds: 60, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', "trap '' TERM; while true; do sleep 1; done"] }] },
    };
    let r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    assert.equal(r.code, 0, r.out);
    r = await kubectl(['wait', '--for=condition=Ready', 'pod/keelson-evicted', '--timeout=30s']);
    assert.equal(r.code, 0, r.out);
    const uid = (await json(['get', 'pod', 'keelson-evicted'])).metadata.uid;
    // A uid precondition that does not match is a Conflict, and the pod is left alone.
    const stale = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'keelson-evicted' }, deleteOptions: { preconditions: { uid: 'keelson-not-the-uid' } } });
    r = await kubectl(['create', '--raw', '/api/v1/namespaces/default/pods/keelson-evicted/eviction', '-f', '-'], { input: stale });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /Error from server \(Conflict\): Operation cannot be fulfilled on pods "keelson-evicted": Precondition failed: UID in precondition: keelson-not-the-uid/);
    assert.equal((await json(['get', 'pod', 'keelson-evicted'])).status.conditions.some((c: { type: string }) => c.type === 'DisruptionTarget'), false);
    const ev = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'keelson-evicted' }, deleteOptions: { preconditions: { uid } } });
    r = await kubectl(['create', '--raw', '/api/v1/namespaces/default/pods/keelson-evicted/eviction', '-f', '-'], { input: ev });
    assert.equal(r.code, 0, r.out);
    const evicted = await json(['get', 'pod', 'keelson-evicted']);
    assert.ok(evicted.metadata.deletionTimestamp, 'the pod is terminating');
    const cond = evicted.status.conditions.find((c: { type: string }) => c.type === 'DisruptionTarget');
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
    r = await kubectl(['delete', 'pod', 'keelson-evicted', '--grace-period=0', '--force']);
    assert.equal(r.code, 0, r.out);
  });
});
