import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { claimsOf, podUsesClaim, volumeInUse } from './in-use.js';

const pod = (o: { node?: string; phase?: string } = {}) => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { nodeName: o.node, volumes: [{ name: 'a', persistentVolumeClaim: { claimName: 'data' } }, { name: 'scratch', ephemeral: { volumeClaimTemplate: {} } }, { name: 'e', emptyDir: {} }] },
  status: { phase: o.phase ?? 'Running' },
});

describe('volume protection: in use', () => {
  it('a pod references its claims and generic ephemeral claims (<pod>-<volume>)', () => {
    assert.deepEqual(claimsOf(pod()), ['data', 'p-scratch']);
  });
  it('only a scheduled, unfinished pod uses a claim', () => {
    assert.equal(podUsesClaim(pod({ node: 'n1' }), 'data'), true);
    assert.equal(podUsesClaim(pod({ node: 'n1' }), 'other'), false);
    assert.equal(podUsesClaim(pod(), 'data'), false);
    assert.equal(podUsesClaim(pod({ node: 'n1', phase: 'Succeeded' }), 'data'), false);
    assert.equal(podUsesClaim(pod({ node: 'n1', phase: 'Failed' }), 'data'), false);
  });
  it('a volume is in use while Bound to a claim that exists', () => {
    const pv = (phase: string) => ({ spec: { claimRef: { namespace: 'default', name: 'data', uid: 'u1' } }, status: { phase } });
    const exists = (ns: string, name: string, uid?: string) => ns === 'default' && name === 'data' && uid === 'u1';
    assert.equal(volumeInUse(pv('Bound'), exists), true);
    assert.equal(volumeInUse(pv('Released'), exists), false);
    assert.equal(volumeInUse(pv('Bound'), () => false), false);
  });
});
