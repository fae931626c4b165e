import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTolerations, tolerationIsSuperset } from './merge-tolerations.js';

describe('mergeTolerations (kube pkg/util/tolerations)', () => {
  it('keeps both lists without duplicates', () => {
    const a = { key: 'a', operator: 'Exists', effect: 'NoSchedule' };
    const b = { key: 'b', operator: 'Equal', value: 'x' };
    assert.deepEqual(mergeTolerations([a], [b, { ...a }]), [a, b]);
  });
  it('drops a toleration another one covers', () => {
    const exact = { key: 'a', operator: 'Equal', value: 'v', effect: 'NoSchedule' };
    const anyEffect = { key: 'a', operator: 'Exists' };
    const everything = { operator: 'Exists' };
    assert.deepEqual(mergeTolerations([exact], [anyEffect]), [anyEffect]);
    assert.deepEqual(mergeTolerations([exact, anyEffect], [everything]), [everything]);
  });
  it('compares NoExecute windows', () => {
    const short = { key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 };
    const long = { key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 100 };
    const forever = { key: 'a', operator: 'Exists', effect: 'NoExecute' };
    assert.equal(tolerationIsSuperset(long, short), true);
    assert.equal(tolerationIsSuperset(short, long), false);
    assert.equal(tolerationIsSuperset(forever, long), true);
    assert.equal(tolerationIsSuperset(long, forever), false);
  });
});
