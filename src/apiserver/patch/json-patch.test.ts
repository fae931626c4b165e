import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from './json-patch.js';
import { PatchError } from './errors.js';

// RFC 6902 appendix A examples.
const ok = (doc: unknown, patch: unknown, want: unknown) => assert.deepEqual(applyJsonPatch(doc, patch), want);
const fails = (doc: unknown, patch: unknown, code: number, message: string) =>
  assert.throws(() => applyJsonPatch(doc, patch), (e: unknown) => {
    assert.ok(e instanceof PatchError);
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });

test('A.1 adding an object member', () => ok({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }));
test('A.2 adding an array element', () => ok({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }));
test('A.3 removing an object member', () => ok({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }));
test('A.4 removing an array element', () => ok({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }));
test('A.5 replacing a value', () => ok({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }));
test('A.6 moving a value', () =>
  ok({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], {
    foo: { bar: 'baz' },
    qux: { corge: 'grault', thud: 'fred' },
  }));
test('A.7 moving an array element', () => ok({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }));
test('A.8 testing a value: success', () =>
  ok({ baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }));
test('A.9 testing a value: error', () => fails({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 422, 'testing value /baz failed: test failed'));
test('A.10 adding a nested member object', () => ok({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }));
test('A.11 ignoring unrecognized elements', () => ok({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }));
test('A.12 adding to a nonexistent target', () =>
  fails({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], 422, 'add operation does not apply: doc is missing path: "/baz/bat": missing value'));
test('A.14 ~ escape ordering', () => ok({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }));
test('A.15 comparing strings and numbers', () => fails({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 422, 'testing value /~01 failed: test failed'));
test('A.16 adding an array value', () => ok({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }));

test('pointer escapes ~1 is a slash', () => ok({ 'a/b': 1 }, [{ op: 'replace', path: '/a~1b', value: 2 }], { 'a/b': 2 }));
test('escaped annotation keys as kubectl users write them', () =>
  ok({ metadata: { annotations: { 'example.com/x': 'a' } } }, [{ op: 'remove', path: '/metadata/annotations/example.com~1x' }], { metadata: { annotations: {} } }));
test('replace of a missing member sets it (json-patch v4, as kube-apiserver)', () =>
  ok({ spec: {} }, [{ op: 'replace', path: '/spec/replicas', value: 3 }], { spec: { replicas: 3 } }));
test('replace of a missing array index fails', () =>
  fails({ a: [1] }, [{ op: 'replace', path: '/a/3', value: 3 }], 422, 'replace operation does not apply: doc is missing key: /a/3: missing value'));
test('move of a missing member fails on its removal', () =>
  fails({ a: {} }, [{ op: 'move', from: '/a/x', path: '/b' }], 422, "error in move for path: 'x': Unable to remove nonexistent key: x: missing value"));
test('replace under a missing parent', () =>
  fails({}, [{ op: 'replace', path: '/spec/replicas', value: 3 }], 422, 'replace operation does not apply: doc is missing path: /spec/replicas: missing value'));
test('remove of a missing key', () =>
  fails({ metadata: {} }, [{ op: 'remove', path: '/metadata/labels' }], 422, "error in remove for path: '/metadata/labels': Unable to remove nonexistent key: labels: missing value"));
test('remove under a missing parent', () =>
  fails({}, [{ op: 'remove', path: '/spec/affinity' }], 422, 'remove operation does not apply: doc is missing path: "/spec/affinity": missing value'));
test('add beyond the end of an array', () =>
  fails({ a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }], 422, "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"));
test('negative index counts from the end (json-patch v4)', () => ok({ a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }], { a: [1, 2] }));
test('copy deep-copies', () => {
  const out = applyJsonPatch({ a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }, { op: 'replace', path: '/c/b', value: 2 }]);
  assert.deepEqual(out, { a: { b: 1 }, c: { b: 2 } });
});
test('test with a resourceVersion guard, as kubectl migration does', () => {
  const doc = { metadata: { resourceVersion: '5' } };
  fails(doc, [{ op: 'test', path: '/metadata/resourceVersion', value: '4' }], 422, 'testing value /metadata/resourceVersion failed: test failed');
  ok(doc, [{ op: 'test', path: '/metadata/resourceVersion', value: '5' }, { op: 'replace', path: '/metadata/resourceVersion', value: '6' }], { metadata: { resourceVersion: '6' } });
});
test('test of an absent member against null passes, against a value fails', () => {
  ok({ a: 1 }, [{ op: 'test', path: '/b', value: null }], { a: 1 });
  fails({ a: 1 }, [{ op: 'test', path: '/b', value: 1 }], 422, 'testing value /b failed: test failed');
});
test('whole-document replace and add', () => {
  ok({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 });
});
test('unknown op', () => fails({}, [{ op: 'frob', path: '/a' }], 422, 'Unexpected kind: frob'));
test('malformed patch documents are BadRequest', () => {
  fails({}, { op: 'add' }, 400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  fails({}, ['x'], 400, 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
});
test('kube generic status message is kept for rendering', () => {
  try {
    applyJsonPatch({}, [{ op: 'remove', path: '/x' }]);
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof PatchError);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.kubernetesMessage, 'the server rejected our request due to an error in our request');
  }
});
test('input document is not mutated', () => {
  const doc = { a: [1] };
  applyJsonPatch(doc, [{ op: 'add', path: '/a/-', value: 2 }]);
  assert.deepEqual(doc, { a: [1] });
});
