import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, createMergePatch } from './merge-patch.js';

// RFC 7386 appendix A test vectors.
const vectors: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

for (const [i, [target, patch, want]] of vectors.entries()) {
  test(`RFC 7386 vector ${i + 1}`, () => assert.deepEqual(applyMergePatch(target, patch), want));
}

test('RFC 7386 section 3 example', () => {
  const target = { title: 'Goodbye!', author: { givenName: 'John', familyName: 'Doe' }, tags: ['example', 'sample'], content: 'This will be unchanged' };
  const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
  assert.deepEqual(applyMergePatch(target, patch), {
    title: 'Hello!',
    author: { givenName: 'John' },
    tags: ['example'],
    content: 'This will be unchanged',
    phoneNumber: '+01-123-456-7890',
  });
});

test('kubectl label / scale shaped patches', () => {
  const dep = { metadata: { name: 'd', labels: { app: 'x', tier: 'web' } }, spec: { replicas: 1 } };
  assert.deepEqual(applyMergePatch(dep, { metadata: { labels: { tier: null, env: 'prod' } } }), {
    metadata: { name: 'd', labels: { app: 'x', env: 'prod' } },
    spec: { replicas: 1 },
  });
  assert.deepEqual(applyMergePatch({ spec: { replicas: 1 } }, { spec: { replicas: 3 } }), { spec: { replicas: 3 } });
  assert.deepEqual(dep.metadata.labels, { app: 'x', tier: 'web' }, 'input untouched');
});

test('createMergePatch round-trips', () => {
  const a = { a: 1, b: { c: 2, d: [1] }, e: 'x' };
  const b = { a: 1, b: { c: 3, d: [1, 2] }, f: true };
  const p = createMergePatch(a, b);
  assert.deepEqual(p, { e: null, b: { c: 3, d: [1, 2] }, f: true });
  assert.deepEqual(applyMergePatch(a, p), b);
});
