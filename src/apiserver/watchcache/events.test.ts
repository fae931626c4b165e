import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterChange, type Change } from './events.js';

const obj = (name: string, on: string) => ({ metadata: { name, namespace: 'default', labels: { on } } });
const f = { keyPrefix: '/registry/pods/default/', matches: (o: any) => o.metadata.labels.on === 'yes' };
const ch = (type: Change['type'], cur: any, prev?: any, key = '/registry/pods/default/a'): Change => ({ type, obj: cur, prev, rv: 5, key });

test('an update into the selector is ADDED, out of it DELETED, as the cacher filters', () => {
  assert.equal(filterChange(ch('MODIFIED', obj('a', 'yes'), obj('a', 'no')), f)?.type, 'ADDED');
  assert.equal(filterChange(ch('MODIFIED', obj('a', 'no'), obj('a', 'yes')), f)?.type, 'DELETED');
  assert.equal(filterChange(ch('MODIFIED', obj('a', 'yes'), obj('a', 'yes')), f)?.type, 'MODIFIED');
  assert.equal(filterChange(ch('MODIFIED', obj('a', 'no'), obj('a', 'no')), f), undefined);
  assert.equal(filterChange(ch('ADDED', obj('a', 'no')), f), undefined);
  assert.equal(filterChange(ch('DELETED', obj('a', 'yes'), obj('a', 'yes')), f)?.type, 'DELETED');
  assert.equal(filterChange(ch('ADDED', obj('a', 'yes'), undefined, '/registry/pods/other/a'), f), undefined);
});
