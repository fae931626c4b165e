// VolumeRestrictions over the framework: ReadWriteOncePod claims are used by one pod at a time
// (and preemption can free one), and shared disks conflict per node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, fitErrorMessage } from '../../decide.js';
import { node, pod, testCluster } from '../../testing.js';

const claim = (name: string, accessModes: string[]) => ({ metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { accessModes, volumeName: `pv-${name}`, storageClassName: '' } });
const volume = (name: string, accessModes: string[]) => ({ metadata: { name: `pv-${name}`, resourceVersion: '1' }, spec: { accessModes, capacity: { storage: '1Gi' }, claimRef: { namespace: 'default', name, uid: `uid-${name}` } } });
const using = (name: string, c: string, opts: Record<string, any> = {}) => pod(name, { ...opts, spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: c } }] } });

describe('VolumeRestrictions', () => {
  it('a ReadWriteOncePod claim in use by another pod: every node rejects, with kube\'s message', () => {
    const objects = { claims: [claim('solo', ['ReadWriteOncePod']), claim('shared', ['ReadWriteOnce'])], volumes: [volume('solo', ['ReadWriteOncePod']), volume('shared', ['ReadWriteOnce'])] };
    const c = testCluster([node('a', '4'), node('b', '4')], [using('first', 'solo', { nodeName: 'a' }), using('other', 'shared', { nodeName: 'a' })], {}, [], objects);
    const d = decide(c.fw, using('second', 'solo'), c.cache.nodeInfos());
    assert.equal(d.node, undefined);
    assert.equal(d.rejected.get('b')?.plugin, 'VolumeRestrictions');
    assert.equal(d.rejected.get('b')?.code, 'Unschedulable');
    assert.equal(fitErrorMessage(d), '0/2 nodes are available: 2 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode.');
    // ReadWriteOnce claims may be shared.
    assert.ok(decide(c.fw, using('again', 'shared'), c.cache.nodeInfos()).node);
  });

  it('preemption frees a ReadWriteOncePod claim held by a lower-priority pod', async () => {
    const objects = { claims: [claim('solo', ['ReadWriteOncePod'])], volumes: [volume('solo', ['ReadWriteOncePod'])] };
    const c = testCluster([node('a', '4'), node('b', '4')], [using('low', 'solo', { nodeName: 'a', priority: 1 })], {}, [], objects);
    const hi = using('hi', 'solo', { priority: 100 });
    const d = decide(c.fw, hi, c.cache.nodeInfos());
    assert.equal(d.node, undefined);
    const r = await c.fw.runPostFilter(d.state, hi, d.rejected);
    assert.ok(r.status.isSuccess(), r.status.message());
    assert.deepEqual(c.deleted, ['low']);
    assert.ok(decide(c.fw, hi, c.cache.nodeInfos()).node);
  });

  it('the same GCE PD read-write, EBS volume or iSCSI IQN on the node: no available disk', () => {
    const gce = (ro: boolean) => ({ name: 'd', gcePersistentDisk: { pdName: 'disk-1', readOnly: ro } });
    const c = testCluster([node('a', '4'), node('b', '4')], [pod('ro', { nodeName: 'a', spec: { volumes: [gce(true)] } }), pod('ebs', { nodeName: 'b', spec: { volumes: [{ name: 'e', awsElasticBlockStore: { volumeID: 'vol-1' } }] } })]);
    const rw = decide(c.fw, pod('rw', { spec: { volumes: [gce(false)] } }), c.cache.nodeInfos());
    assert.deepEqual(rw.rejected.get('a')?.reasons, ['node(s) had no available disk']);
    assert.equal(rw.node, 'b');
    assert.deepEqual(decide(c.fw, pod('ro2', { spec: { volumes: [gce(true)] } }), c.cache.nodeInfos()).feasible.sort(), ['a', 'b'], 'read-only on both sides shares');
    const ebs = decide(c.fw, pod('ebs2', { spec: { volumes: [{ name: 'e', awsElasticBlockStore: { volumeID: 'vol-1' } }] } }), c.cache.nodeInfos());
    assert.equal(ebs.node, 'a');
  });
});
