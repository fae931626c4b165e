import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector, matchLabels, formatLabelSelectorObject, SelectorParseError } from './labels.js';
import { parseFieldSelector, matchFields } from './fields.js';

test('label selector operators match as Kubernetes', () => {
  const l = { app: 'web', tier: 'front', n: '5' };
  const m = (s: string) => matchLabels(parseLabelSelector(s), l);
  assert.equal(m(''), true);
  assert.equal(m('app=web'), true);
  assert.equal(m('app==web'), true);
  assert.equal(m('app!=web'), false);
  assert.equal(m('app!=db'), true);
  assert.equal(m('missing!=x'), true);
  assert.equal(m('tier in (front, back)'), true);
  assert.equal(m('tier notin (front)'), false);
  assert.equal(m('tier notin (back)'), true);
  assert.equal(m('app,tier'), true);
  assert.equal(m('!app'), false);
  assert.equal(m('!db'), true);
  assert.equal(m('app=web,tier=back'), false);
  assert.equal(m('n>3'), true);
  assert.equal(m('n<3'), false);
  assert.equal(m('app in (web),!missing'), true);
});

test('label selector parse errors', () => {
  assert.throws(() => parseLabelSelector('app in web'), SelectorParseError);
  assert.throws(() => parseLabelSelector('a=b,'), SelectorParseError);
  assert.throws(() => parseLabelSelector('a b'), SelectorParseError);
  assert.throws(() => parseLabelSelector('-bad=x'), SelectorParseError);
});

test('formats a LabelSelector object as kubectl shows it', () => {
  assert.equal(formatLabelSelectorObject({ matchLabels: { app: 'x' } }), 'app=x');
  assert.equal(formatLabelSelectorObject({ matchLabels: { b: '1', a: '2' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }] }), 'a=2,b=1,c in (x,y)');
});

test('field selectors', () => {
  const f = { 'metadata.name': 'web', 'spec.nodeName': '' } as Record<string, string>;
  const m = (s: string) => matchFields(parseFieldSelector(s), (k) => f[k]);
  assert.equal(m('metadata.name=web'), true);
  assert.equal(m('metadata.name==web'), true);
  assert.equal(m('metadata.name!=web'), false);
  assert.equal(m('spec.nodeName='), true);
  assert.equal(m('metadata.name=web,spec.nodeName!='), false);
  assert.deepEqual(parseFieldSelector('a=x\\,y'), [{ field: 'a', op: '=', value: 'x,y' }]);
  assert.throws(() => parseFieldSelector('nonsense'), SelectorParseError);
});
