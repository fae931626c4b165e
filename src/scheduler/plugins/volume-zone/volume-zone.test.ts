// VolumeZone over the framework: zone and region labels of bound volumes against node labels
// (GA and beta keys, "__"-joined zone sets, unlabelled nodes unconstrained), WaitForFirstConsumer
// claims skipped, and kube's PreFilter rejections for what cannot be resolved.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, fitErrorMessage } from '../../decide.js';
import { node, pod, testCluster } from '../../testing.js';

const ZONE = 'topology.kubernetes.io/zone';
const claim = (name: string, volumeName?: string, storageClassName = 'standard') => ({ metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { accessModes: ['ReadWriteOnce'], storageClassName, ...(volumeName ? { volumeName } : {}) } });
const volume = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels, resourceVersion: '1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, storageClassName: 'standard', hostPath: { path: '/x' } } });
const using = (name: string, claimName: string) => pod(name, { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] } });
const zoned = (name: string, labels: Record<string, string>) => node(name, '4', { labels });

describe('VolumeZone', () => {
  const objects = () => ({
    claims: [claim('in-a', 'pv-a'), claim('in-ab', 'pv-ab'), claim('beta', 'pv-beta'), claim('later', undefined, 'wait'), claim('unbound'), claim('no-class', undefined, ''), claim('lost', 'pv-gone')],
    volumes: [volume('pv-a', { [ZONE]: 'zone-a' }), volume('pv-ab', { [ZONE]: 'zone-a__zone-b' }), volume('pv-beta', { 'failure-domain.beta.kubernetes.io/zone': 'zone-b' })],
    storageClasses: [{ metadata: { name: 'standard' }, provisioner: 'x', volumeBindingMode: 'Immediate' }, { metadata: { name: 'wait' }, provisioner: 'x', volumeBindingMode: 'WaitForFirstConsumer' }],
  });
  const nodes = () => [zoned('a', { [ZONE]: 'zone-a' }), zoned('b', { [ZONE]: 'zone-b' }), zoned('c', { [ZONE]: 'zone-c' }), node('plain', '4')];

  it('a bound volume in a zone fits only nodes of that zone (and nodes with no zone label), with kube\'s reason', () => {
    const c = testCluster(nodes(), [], {}, [], objects());
    const d = decide(c.fw, using('p', 'in-a'), c.cache.nodeInfos());
    assert.deepEqual(d.feasible.sort(), ['a', 'plain']);
    assert.deepEqual(d.rejected.get('b')?.reasons, ['node(s) had no available volume zone']);
    assert.equal(d.rejected.get('b')?.code, 'UnschedulableAndUnresolvable');
  });

  it('a "__"-joined zone set allows each of its zones; a beta PV label matches a node\'s GA label', () => {
    const c = testCluster(nodes(), [], {}, [], objects());
    assert.deepEqual(decide(c.fw, using('p', 'in-ab'), c.cache.nodeInfos()).feasible.sort(), ['a', 'b', 'plain']);
    assert.deepEqual(decide(c.fw, using('q', 'beta'), c.cache.nodeInfos()).feasible.sort(), ['b', 'plain']);
  });

  it('skips WaitForFirstConsumer claims and rejects what cannot be resolved, as kube words it', () => {
    const c = testCluster(nodes(), [], { plugins: { multiPoint: { disabled: [{ name: 'VolumeBinding' }] } } } as any, [], objects());
    assert.equal(decide(c.fw, using('w', 'later'), c.cache.nodeInfos()).feasible.length, 4);
    assert.match(fitErrorMessage(decide(c.fw, using('u', 'unbound'), c.cache.nodeInfos())), /PersistentVolume had no name/);
    assert.match(fitErrorMessage(decide(c.fw, using('n', 'no-class'), c.cache.nodeInfos())), /PersistentVolumeClaim had no pv name and storageClass name/);
    assert.match(fitErrorMessage(decide(c.fw, using('l', 'lost'), c.cache.nodeInfos())), /persistentvolume "pv-gone" not found/);
  });
});
