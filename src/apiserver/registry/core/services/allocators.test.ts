import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPAllocator, AllocationError } from './ip-allocator.js';
import { PortAllocator } from './port-allocator.js';

test('ClusterIPs come from the range; duplicates and out-of-range IPs fail with kube texts', () => {
  const a = new IPAllocator('10.96.0.0/12');
  assert.equal(a.first, '10.96.0.1');
  a.allocate('10.96.0.1');
  assert.throws(() => a.allocate('10.96.0.1'), (e: AllocationError) => e.message === 'failed to allocate IP 10.96.0.1: provided IP is already allocated');
  assert.throws(() => a.allocate('1.2.3.4'), /not in the valid range. The range of valid IPs is 10.96.0.0\/12/);
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const ip = a.allocateNext();
    assert.ok(a.contains(ip));
    assert.ok(!seen.has(ip));
    seen.add(ip);
  }
  const one = [...seen][0];
  a.release(one);
  assert.equal(a.has(one), false);
  assert.equal(a.count, 100);
});

test('a small range fills up', () => {
  const a = new IPAllocator('10.0.0.0/29'); // 6 usable
  for (let i = 0; i < 6; i++) a.allocateNext();
  assert.throws(() => a.allocateNext(), /range is full/);
});

test('node ports', () => {
  const p = new PortAllocator('30000-30002');
  p.allocate(30001);
  assert.throws(() => p.allocate(30001), /provided port is already allocated/);
  assert.throws(() => p.allocate(80), /The range of valid ports is 30000-30002/);
  const a = p.allocateNext();
  const b = p.allocateNext();
  assert.notEqual(a, b);
  assert.throws(() => p.allocateNext(), /range is full/);
});
