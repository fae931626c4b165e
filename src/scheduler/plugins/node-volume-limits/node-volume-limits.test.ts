// NodeVolumeLimits over the framework: CSINode per-driver limits, volumes shared between pods
// counted once, unbound claims counted by their class's provisioner, node allocatable fallback.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, fitErrorMessage } from '../../decide.js';
import { node, pod, testCluster } from '../../testing.js';

const DRIVER = 'ebs.csi.example.com';
const csiNode = (name: string, count: number) => ({ metadata: { name }, spec: { drivers: [{ name: DRIVER, nodeID: name, allocatable: { count } }] } });
const boundClaim = (name: string) => ({ metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { accessModes: ['ReadWriteOnce'], volumeName: `pv-${name}`, storageClassName: 'ebs' } });
const csiVolume = (claim: string) => ({ metadata: { name: `pv-${claim}`, resourceVersion: '1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, storageClassName: 'ebs', csi: { driver: DRIVER, volumeHandle: `vol-${claim}` }, claimRef: { namespace: 'default', name: claim, uid: `uid-${claim}` } } });
const using = (name: string, claims: string[], nodeName?: string) => pod(name, { nodeName, spec: { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) } });

describe('NodeVolumeLimits', () => {
  const objects = () => ({
    claims: ['one', 'two', 'three'].map(boundClaim).concat([{ metadata: { name: 'later', namespace: 'default', uid: 'uid-later' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ebs' } } as any]),
    volumes: ['one', 'two', 'three'].map(csiVolume),
    storageClasses: [{ metadata: { name: 'ebs' }, provisioner: DRIVER, volumeBindingMode: 'WaitForFirstConsumer' }],
    csiNodes: [csiNode('a', 2), csiNode('b', 1)],
  });

  it('a node at its CSI limit rejects one more volume, with kube\'s reason; a shared volume counts once', () => {
    const c = testCluster([node('a', '4'), node('b', '4')], [using('p1', ['one', 'two'], 'a')], {}, [], objects());
    const d = decide(c.fw, using('p3', ['three']), c.cache.nodeInfos());
    assert.deepEqual(d.rejected.get('a')?.reasons, ['node(s) exceed max volume count']);
    assert.equal(d.rejected.get('a')?.code, 'Unschedulable');
    assert.equal(d.node, 'b');
    // Same volume as p1 on a: attached already, no new attachment.
    assert.deepEqual(decide(c.fw, using('again', ['one']), c.cache.nodeInfos()).feasible.sort(), ['a', 'b']);
  });

  it('unbound claims count by their class provisioner; no CSINode: node allocatable attachable-volumes-csi-<driver>', () => {
    const o = objects();
    o.csiNodes = [csiNode('b', 1)];
    const a = node('a', '4');
    a.status.allocatable[`attachable-volumes-csi-${DRIVER}`] = '1';
    const c = testCluster([a, node('b', '4')], [using('p1', ['one'], 'a'), using('p2', ['two'], 'b')], {}, [], o);
    const d = decide(c.fw, using('p3', ['later']), c.cache.nodeInfos());
    assert.equal(fitErrorMessage(d), '0/2 nodes are available: 2 node(s) exceed max volume count.');
    // A node without any limit takes it.
    const free = testCluster([node('c', '4')], [using('p1', ['one', 'two', 'three'], 'c')], {}, [], o);
    assert.equal(decide(free.fw, using('p3', ['later']), free.cache.nodeInfos()).node, 'c');
  });
});
