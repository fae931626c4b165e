import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepCopyJson } from './deep-copy.js';

test('deepCopyJson copies JSON values like structuredClone, sharing nothing', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: {} as Record<string, string> },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }], nodeName: null, hostNetwork: false, priority: 0 },
    status: { missing: undefined },
  };
  const c = deepCopyJson(pod);
  assert.deepEqual(c, structuredClone(pod));
  assert.ok('missing' in c.status, 'undefined-valued keys are kept, as structuredClone keeps them');
  c.spec.containers[0].ports[0].containerPort = 8080;
  c.metadata.labels.app = 'other';
  assert.equal(pod.spec.containers[0].ports[0].containerPort, 80);
  assert.equal(pod.metadata.labels.app, 'web');
  assert.notEqual(c.spec.containers, pod.spec.containers);
});

test('deepCopyJson keeps "__proto__" an own key and falls back to structuredClone for non-plain values', () => {
  const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
  const c = deepCopyJson(parsed);
  assert.equal(Object.getPrototypeOf(c), Object.prototype);
  assert.deepEqual(Object.keys(c), ['__proto__', 'a']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const withBuf = { data: Buffer.from('hi'), when: new Date(0) };
  const d = deepCopyJson(withBuf);
  assert.notEqual(d.data, withBuf.data);
  assert.equal(Buffer.from(d.data).toString(), 'hi');
  assert.equal(d.when.getTime(), 0);
  assert.equal(deepCopyJson(undefined), undefined);
  assert.equal(deepCopyJson('s'), 's');
});
