// The kubelet's image pulls over a fake image service: reasons, messages, events and back-off as
// the kubelet words them; registry hosts and pull-secret matching; QoS oom_score_adj.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImagePuller, registryHost } from './image-pull.js';
import { oomScoreAdj, sandboxExtras } from './runtime-config.js';
import { ImagePullError, type ContainerRuntime } from './runtime/types.js';
import type { RestClient } from '../client/rest-client.js';

function fakeRuntime(present: Set<string>, failPulls: { n: number }): ContainerRuntime {
  return {
    ensureImage: async (image: string, policy: string) => {
      if (policy !== 'Always' && present.has(image)) return { ref: `sha256:${image}`, pulled: false };
      if (policy === 'Never') throw new ImagePullError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
      if (failPulls.n-- > 0) throw new ImagePullError('ErrImagePull', 'rpc error: code = NotFound desc = not found');
      present.add(image);
      return { ref: `sha256:${image}`, pulled: true };
    },
  } as unknown as ContainerRuntime;
}

const pod = { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [] } };

describe('image pulls', () => {
  it('registry hosts of image references', () => {
    assert.equal(registryHost('busybox'), 'docker.io');
    assert.equal(registryHost('library/busybox:1'), 'docker.io');
    assert.equal(registryHost('127.0.0.1:5000/x/y:1'), '127.0.0.1:5000');
    assert.equal(registryHost('localhost/bars/busybox:1'), 'localhost');
    assert.equal(registryHost('ghcr.io/a/b'), 'ghcr.io');
  });

  it('ErrImagePull, then ImagePullBackOff until the back-off expires, then a successful pull', async () => {
    const events: string[] = [];
    const p = new ImagePuller(fakeRuntime(new Set(), { n: 1 }), {} as RestClient, 200, 1000, (_t, reason, msg) => events.push(`${reason}: ${msg}`));
    const first = await p.ensure(pod, 'x:1', 'IfNotPresent');
    assert.deepEqual([first?.reason, first?.message], ['ErrImagePull', 'rpc error: code = NotFound desc = not found']);
    assert.deepEqual(events.splice(0), ['Pulling: Pulling image "x:1"', 'Failed: Failed to pull image "x:1": rpc error: code = NotFound desc = not found', 'Failed: Error: ErrImagePull']);
    const second = await p.ensure(pod, 'x:1', 'IfNotPresent');
    assert.deepEqual([second?.reason, second?.message], ['ImagePullBackOff', 'Back-off pulling image "x:1"']);
    assert.ok(second!.retryInMs > 0 && second!.retryInMs <= 200);
    assert.deepEqual(events.splice(0), ['BackOff: Back-off pulling image "x:1"', 'Failed: Error: ImagePullBackOff']);
    await new Promise((r) => setTimeout(r, 220));
    assert.equal(await p.ensure(pod, 'x:1', 'IfNotPresent'), undefined);
    assert.equal(events[0], 'Pulling: Pulling image "x:1"');
    assert.match(events[1], /^Pulled: Successfully pulled image "x:1" in [\d.]+s \([\d.]+s including waiting\)$/);
    events.length = 0;
    assert.equal(await p.ensure(pod, 'x:1', 'IfNotPresent'), undefined);
    assert.deepEqual(events, ['Pulled: Container image "x:1" already present on machine']);
  });

  it('ErrImageNeverPull with pull policy Never', async () => {
    const events: string[] = [];
    const p = new ImagePuller(fakeRuntime(new Set(), { n: 0 }), {} as RestClient, 200, 1000, (_t, reason, msg) => events.push(`${reason}: ${msg}`));
    const r = await p.ensure(pod, 'y:1', 'Never');
    assert.deepEqual([r?.reason, r?.message], ['ErrImageNeverPull', 'Container image "y:1" is not present with pull policy of Never']);
    assert.deepEqual(events, ['ErrImageNeverPull: Container image "y:1" is not present with pull policy of Never', 'Failed: Error: ErrImageNeverPull']);
  });

  it('oom_score_adj per QoS class; sandbox extras from the spec', () => {
    const c = (resources: object) => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources }] } });
    assert.equal(oomScoreAdj(c({}), 0), 1000);
    assert.equal(oomScoreAdj(c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }), 1 << 30), -997);
    assert.equal(oomScoreAdj(c({ requests: { memory: '1Gi' } }), 2 ** 30, 4 * 2 ** 30), 750);
    const ex = sandboxExtras({ metadata: { name: 'p', labels: { a: '1' } }, spec: { hostname: 'h', containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }] } });
    assert.equal(ex.hostname, 'h');
    assert.deepEqual(ex.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIP: undefined }]);
  });
});
