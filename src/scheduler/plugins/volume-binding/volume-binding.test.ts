// VolumeBinding over the framework: claims and volumes in listers, decisions through decide(),
// the reserve/preBind writes checked against what the persistent-volume controller expects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, fitErrorMessage } from '../../decide.js';
import { node, pod, testCluster } from '../../testing.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE } from '../../../api/volume-fits.js';

const hostAffinity = (host: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] }] } });
const pv = (name: string, size: string, extra: Record<string, any> = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, resourceVersion: '1', labels: extra.labels },
  spec: { capacity: { storage: size }, accessModes: extra.accessModes ?? ['ReadWriteOnce'], storageClassName: extra.class ?? 'local', nodeAffinity: extra.host ? hostAffinity(extra.host) : undefined, claimRef: extra.claimRef, hostPath: { path: `/srv/${name}` } },
  status: { phase: extra.claimRef ? 'Bound' : 'Available' },
});
const pvc = (name: string, extra: Record<string, any> = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', annotations: extra.annotations },
  spec: { accessModes: extra.accessModes ?? ['ReadWriteOnce'], resources: { requests: { storage: extra.size ?? '1Gi' } }, storageClassName: extra.class ?? 'local', volumeName: extra.volumeName, selector: extra.selector },
});
const sc = (name: string, mode: string, provisioner = 'kubernetes.io/no-provisioner', extra: Record<string, any> = {}) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode: mode, ...extra });
const withClaims = (name: string, ...claims: string[]) => pod(name, { spec: { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) } });
const nodes = () => [node('a', '4'), node('b', '4'), node('c', '4')];

describe('VolumeBinding', () => {
  it('a pod without claims skips the plugin; a missing claim is unresolvable with kube\'s message', () => {
    const c = testCluster(nodes(), [], {}, [], {});
    assert.ok(decide(c.fw, pod('plain'), c.cache.nodeInfos()).node);
    const d = decide(c.fw, withClaims('p', 'nope'), c.cache.nodeInfos());
    assert.equal(d.node, undefined);
    assert.equal(d.preFilterStatus?.code, 'UnschedulableAndUnresolvable');
    assert.equal(fitErrorMessage(d), '0/3 nodes are available: persistentvolumeclaim "nope" not found.');
  });

  it('an unbound claim of an Immediate class keeps the pod pending everywhere, with kube\'s whole message', async () => {
    const c = testCluster(nodes(), [], {}, [], { claims: [pvc('data', { class: 'fast' })], storageClasses: [sc('fast', 'Immediate', 'example.com/csi')] });
    const p = withClaims('p', 'data');
    const d = decide(c.fw, p, c.cache.nodeInfos());
    assert.equal(d.preFilterStatus?.plugin, 'VolumeBinding');
    const post = await c.fw.runPostFilter(d.state, p, d.rejected);
    assert.equal(
      fitErrorMessage(d, post.status.message()),
      '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it("a bound claim's volume node affinity picks the node; a missing volume rejects every node", () => {
    const c = testCluster(nodes(), [], {}, [], { claims: [pvc('data', { volumeName: 'pv-b' }), pvc('lost', { volumeName: 'gone' })], volumes: [pv('pv-b', '5Gi', { host: 'b', claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' } })] });
    const d = decide(c.fw, withClaims('p', 'data'), c.cache.nodeInfos());
    assert.equal(d.node, 'b');
    assert.deepEqual(d.rejected.get('a')?.reasons, ['node(s) had volume node affinity conflict']);
    // VolumeBinding's own Filter verdict (in the default profile VolumeZone's PreFilter rejects
    // the pod first, with `persistentvolume "gone" not found`, as in kube).
    const alone = testCluster(nodes(), [], { plugins: { multiPoint: { disabled: [{ name: 'VolumeZone' }] } } } as any, [], { claims: [pvc('lost', { volumeName: 'gone' })] });
    const lost = decide(alone.fw, withClaims('q', 'lost'), alone.cache.nodeInfos());
    assert.equal(fitErrorMessage(lost), '0/3 nodes are available: 3 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s).');
    assert.equal(fitErrorMessage(decide(c.fw, withClaims('q', 'lost'), c.cache.nodeInfos())), '0/3 nodes are available: persistentvolume "gone" not found.');
  });

  it('WaitForFirstConsumer: the nodes whose local volume fits; smallest first; reserve assumes it for the next pods', async () => {
    const objects = {
      claims: ['one', 'two', 'three', 'four'].map((n) => pvc(n, { size: '2Gi' })),
      volumes: [pv('pv-a-small', '1Gi', { host: 'a' }), pv('pv-b', '3Gi', { host: 'b' }), pv('pv-c-big', '10Gi', { host: 'c' }), pv('pv-c', '4Gi', { host: 'c' }), pv('pv-rwx', '10Gi', { host: 'a', accessModes: ['ReadWriteMany'], class: 'other' })],
      storageClasses: [sc('local', 'WaitForFirstConsumer')],
    };
    const c = testCluster(nodes(), [], {}, [], objects);
    const p1 = withClaims('p1', 'one');
    const d = decide(c.fw, p1, c.cache.nodeInfos());
    assert.deepEqual(d.rejected.get('a')?.reasons, ["node(s) didn't find available persistent volumes to bind"]);
    assert.deepEqual(d.feasible.sort(), ['b', 'c']);
    assert.ok(c.fw.runReserve(d.state, p1, 'b').isSuccess());
    // The PV controller's side, done by hand: it sees the claimRef and completes the binding.
    const bindLater = setTimeout(() => {
      const claim = objects.claims.find((x) => x.metadata.name === 'one')!;
      Object.assign(claim.spec, { volumeName: objects.volumes.find((v) => v.spec.claimRef?.name === 'one')!.metadata.name });
      claim.metadata.annotations = { [ANN_BIND_COMPLETED]: 'yes' };
    }, 20);
    const s = await c.fw.runPreBind(d.state, p1, 'b');
    clearTimeout(bindLater);
    assert.ok(s.isSuccess(), s.message());
    const written = objects.volumes.find((v) => v.spec.claimRef?.name === 'one')!;
    assert.equal(written.metadata.name, 'pv-b');
    assert.equal(written.spec.claimRef.uid, 'uid-one');
    assert.equal((written.metadata as any).annotations[ANN_BOUND_BY_CONTROLLER], 'yes');
    // pv-b is taken: the next claims go to c, smallest volume first, then none is left.
    const p2 = withClaims('p2', 'two');
    const d2 = decide(c.fw, p2, c.cache.nodeInfos());
    assert.deepEqual(d2.feasible, ['c']);
    assert.ok(c.fw.runReserve(d2.state, p2, 'c').isSuccess());
    assert.equal(objects.volumes.find((v) => v.metadata.name === 'pv-c')!.spec.claimRef, undefined, 'reserve only assumes; preBind writes');
    const p3 = withClaims('p3', 'three');
    const d3 = decide(c.fw, p3, c.cache.nodeInfos());
    assert.deepEqual(d3.feasible, ['c']);
    assert.ok(c.fw.runReserve(d3.state, p3, 'c').isSuccess());
    const d4 = decide(c.fw, withClaims('p4', 'four'), c.cache.nodeInfos());
    assert.equal(fitErrorMessage(d4), "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind.");
  });

  it('WaitForFirstConsumer with a provisioner: any node the class topology allows; reserve annotates the claim with the node', async () => {
    const objects = {
      claims: [pvc('dyn', { class: 'dyn' })],
      storageClasses: [sc('dyn', 'WaitForFirstConsumer', 'keelson.io/local-path', { allowedTopologies: [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['c'] }] }] })],
    };
    const c = testCluster(nodes(), [], {}, [], objects);
    const p = withClaims('p', 'dyn');
    const d = decide(c.fw, p, c.cache.nodeInfos());
    assert.equal(d.node, 'c');
    assert.ok(c.fw.runReserve(d.state, p, 'c').isSuccess());
    // The write shows up in the listers (the informer) only later: meanwhile the claim must not
    // read as "provisioning failed" (annotation dropped).
    const write = c.handle.updateClaim!;
    let lagging: NodeJS.Timeout | undefined;
    c.handle.updateClaim = async (claim) => {
      lagging = setTimeout(() => void write(claim), 10);
      return claim;
    };
    const done = setTimeout(() => {
      const claim = objects.claims[0];
      claim.spec.volumeName = 'pvc-uid-dyn';
      (claim.metadata as any).annotations = { ...claim.metadata.annotations, [ANN_BIND_COMPLETED]: 'yes' };
      (objects as any).volumes = [pv('pvc-uid-dyn', '1Gi', { host: 'c', class: 'dyn', claimRef: { namespace: 'default', name: 'dyn', uid: 'uid-dyn' } })];
    }, 60);
    const s = await c.fw.runPreBind(d.state, p, 'c');
    clearTimeout(done);
    clearTimeout(lagging);
    assert.ok(s.isSuccess(), s.message());
    assert.equal((objects.claims[0].metadata.annotations as any)[ANN_SELECTED_NODE], 'c');
  });

  it('a class without a provisioner and no fitting volume: bind conflict; unreserve frees an assumed volume', () => {
    const objects = { claims: [pvc('x', { selector: { matchLabels: { tier: 'gold' } } }), pvc('y')], volumes: [pv('pv-plain', '5Gi', { host: 'a' }), pv('pv-gold', '5Gi', { host: 'b', labels: { tier: 'gold' } })], storageClasses: [sc('local', 'WaitForFirstConsumer')] };
    const c = testCluster(nodes(), [], {}, [], objects);
    const px = withClaims('px', 'x');
    const d = decide(c.fw, px, c.cache.nodeInfos());
    assert.equal(d.node, 'b', 'the selector admits only pv-gold');
    const py = withClaims('py', 'y');
    assert.ok(c.fw.runReserve(d.state, px, 'b').isSuccess());
    // pv-gold is assumed for x: y (no selector) may only take pv-plain on a.
    assert.equal(decide(c.fw, py, c.cache.nodeInfos()).node, 'a');
    c.fw.runUnreserve(d.state, px, 'b');
    assert.deepEqual(decide(c.fw, py, c.cache.nodeInfos()).feasible.sort(), ['a', 'b']);
  });

  it('preBind times out when nobody completes the binding', async () => {
    const objects = { claims: [pvc('slow')], volumes: [pv('pv-slow', '5Gi')], storageClasses: [sc('local', 'WaitForFirstConsumer')] };
    const c = testCluster([node('a', '4')], [], { pluginConfig: [{ name: 'VolumeBinding', args: { bindTimeoutSeconds: 0.05, pollIntervalMs: 10 } }] }, [], objects);
    const p = withClaims('p', 'slow');
    const d = decide(c.fw, p, c.cache.nodeInfos());
    assert.equal(d.node, 'a');
    c.fw.runReserve(d.state, p, 'a');
    const s = await c.fw.runPreBind(d.state, p, 'a');
    assert.equal(s.code, 'Error');
    assert.equal(s.message(), 'binding volumes: timed out waiting for the condition');
  });
});
