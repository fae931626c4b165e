// ProbeWorker: thresholds on the regular period, and the early retries before the first success
// that only ever count when they succeed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRuntime } from './runtime/types.js';
import { logger } from '../util/log.js';
import { ProbeWorker, type ProbeKind } from './probes.js';

/** A runtime whose exec probe answers `ok()`, counting the attempts. */
function fakeTarget(ok: () => boolean) {
  const calls: number[] = [];
  const runtime = {
    exec: async () => {
      calls.push(Date.now());
      return { exitCode: ok() ? 0 : 1, stdout: '', stderr: '' };
    },
  } as unknown as ContainerRuntime;
  return { calls, target: { runtime, containerId: 'c1', container: { name: 'c' }, podIP: '127.0.0.1', log: logger('test') } };
}

const waitFor = async (what: string, cond: () => boolean, ms = 8000) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
};

test('readiness: a server up shortly after start is Ready long before the next regular probe', async () => {
  let up = false;
  const { calls, target } = fakeTarget(() => up);
  const changes: [ProbeKind, boolean][] = [];
  const w = new ProbeWorker('readiness', { exec: { command: ['true'] }, periodSeconds: 60, failureThreshold: 1 }, target, (k, r) => changes.push([k, r]));
  w.start();
  await waitFor('the first regular probe', () => calls.length >= 1);
  await waitFor('the first probe result', () => changes.length >= 1);
  assert.deepEqual(changes, [['readiness', false]], 'the regular probe failed and counts (failureThreshold 1)');
  up = true;
  await waitFor('Ready from an early attempt (the regular period is 60 s)', () => w.result === true);
  assert.deepEqual(changes, [['readiness', false], ['readiness', true]]);
  const n = calls.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(calls.length, n, 'after the first success, probing is back on the regular period');
  w.stop();
});

test('early attempts that fail do not count toward failureThreshold', async () => {
  const { calls, target } = fakeTarget(() => false);
  const changes: boolean[] = [];
  const w = new ProbeWorker('startup', { exec: { command: ['false'] }, periodSeconds: 60, failureThreshold: 2 }, target, (_k, r) => changes.push(r));
  w.start();
  await waitFor('several early attempts', () => calls.length >= 4);
  assert.deepEqual(changes, [], 'one regular failure and any number of early ones: below the threshold of 2');
  assert.equal(w.result, undefined);
  w.stop();
});

test('liveness probes never retry early', async () => {
  const { calls, target } = fakeTarget(() => false);
  const w = new ProbeWorker('liveness', { exec: { command: ['false'] }, periodSeconds: 60 }, target, () => {});
  w.start();
  await waitFor('the first probe', () => calls.length >= 1);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(calls.length, 1);
  w.stop();
});

test('an unpaused readiness worker probes at once', async () => {
  const { calls, target } = fakeTarget(() => true);
  const w = new ProbeWorker('readiness', { exec: { command: ['true'] }, periodSeconds: 60 }, target, () => {});
  w.paused = true;
  w.start();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(calls.length, 0, 'paused');
  w.paused = false;
  await waitFor('a probe right after unpausing', () => w.result === true);
  w.stop();
});
