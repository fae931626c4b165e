// RoundRobin: rotation over endpoints, ClientIP affinity with its timeout, retries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoint } from '../endpoint-slices.js';
import { RoundRobin } from './load-balancer.js';

const ep = (ip: string): Endpoint => ({ ip, port: 80, ready: true, serving: true, terminating: false });
const eps = [ep('10.0.0.1'), ep('10.0.0.2'), ep('10.0.0.3')];

test('rotates over the endpoints', () => {
  const rr = new RoundRobin();
  assert.deepEqual([1, 2, 3, 4].map(() => rr.pick('k', eps, 'c', 0)!.ip), ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1']);
  assert.equal(rr.pick('k', [], 'c', 0), undefined);
});

test('ClientIP affinity holds until the timeout or the endpoint goes', () => {
  let now = 0;
  const rr = new RoundRobin(() => now);
  const first = rr.pick('k', eps, '1.1.1.1', 10)!;
  assert.equal(rr.pick('k', eps, '1.1.1.1', 10), first);
  assert.notEqual(rr.pick('k', eps, '2.2.2.2', 10), first, 'another client rotates on');
  now = 9_000;
  assert.equal(rr.pick('k', eps, '1.1.1.1', 10), first);
  now = 30_000;
  assert.notEqual(rr.pick('k', eps, '1.1.1.1', 10)?.ip, undefined);
  const rest = eps.filter((e) => e !== first);
  const moved = rr.pick('k', rest, '3.3.3.3', 10)!;
  assert.equal(rr.pick('k', rest, '3.3.3.3', 10), moved);
});

test('after() gives the next endpoint to retry', () => {
  const rr = new RoundRobin();
  assert.equal(rr.after(eps, eps[2])!.ip, '10.0.0.1');
  assert.equal(rr.after([eps[0]], eps[0]), undefined);
});
