// The relister's diff of two ListContainers answers: a state change is reported, a container
// first seen already exited is reported (it ran and died between two lists), nothing is reported
// for the containers of the first list.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logger } from '../../../util/log.js';
import type { CriClient } from './client.js';
import { Relister } from './relist.js';

describe('CRI relister', () => {
  it('reports state changes and containers that exited between two lists', async () => {
    let containers: Array<{ id: string; pod_sandbox_id: string; state: string }> = [];
    const client = { runtime: async () => ({ containers }) } as unknown as CriClient;
    const seen: string[] = [];
    const r = new Relister(client, 1000, (sb, id) => seen.push(`${sb}/${id}`), logger('test'));
    containers = [
      { id: 'a', pod_sandbox_id: 's1', state: 'CONTAINER_RUNNING' },
      { id: 'old', pod_sandbox_id: 's0', state: 'CONTAINER_EXITED' },
    ];
    await r.relist();
    assert.deepEqual(seen, []);
    containers = [
      { id: 'a', pod_sandbox_id: 's1', state: 'CONTAINER_EXITED' },
      { id: 'old', pod_sandbox_id: 's0', state: 'CONTAINER_EXITED' },
      { id: 'quick', pod_sandbox_id: 's2', state: 'CONTAINER_EXITED' },
      { id: 'new', pod_sandbox_id: 's3', state: 'CONTAINER_RUNNING' },
    ];
    await r.relist();
    assert.deepEqual(seen.sort(), ['s1/a', 's2/quick']);
    r.stop();
  });
});
