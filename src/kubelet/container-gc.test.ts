// Container GC over a fake runtime: sandboxes of pods this node no longer has are stopped and
// removed (other nodes' sandboxes, active pods' and young ones stay), their log directories
// go, and a failed removal is the ContainerGCFailed event.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../util/log.js';
import { ContainerGC } from './container-gc.js';
import type { PodSandboxInfo } from './runtime/types.js';

const root = mkdtempSync(join(tmpdir(), 'keelson-cgc-'));
after(() => rmSync(root, { recursive: true, force: true }));

function fakeRuntime(sandboxes: PodSandboxInfo[], failRemove = new Set<string>()) {
  const calls: string[] = [];
  return {
    calls,
    async listPodSandboxes() {
      return sandboxes.filter((s) => !calls.includes(`remove ${s.id}`));
    },
    async stopPodSandbox(id: string) {
      calls.push(`stop ${id}`);
    },
    async removePodSandbox(id: string) {
      if (failRemove.has(id)) throw new Error('rpc error: code = Unknown desc = busy');
      calls.push(`remove ${id}`);
    },
  };
}

const sb = (id: string, podUid: string, extra: Partial<PodSandboxInfo> = {}): PodSandboxInfo => ({ id, podUid, namespace: 'default', name: `pod-${podUid}`, nodeName: 'node-a', ready: true, createdAt: 0, ...extra });

describe('container GC', () => {
  it('removes sandboxes and log dirs of pods gone from this node; keeps active, young and foreign ones', async () => {
    const rootDir = join(root, 'a');
    for (const d of ['default_pod-gone_gone', 'default_pod-live_live', 'default_pod-young_young', 'live']) mkdirSync(join(rootDir, 'pods', d), { recursive: true });
    const rt = fakeRuntime([sb('s-gone', 'gone'), sb('s-gone-old', 'gone', { ready: false }), sb('s-live', 'live'), sb('s-young', 'young', { createdAt: 9_500 }), sb('s-other', 'other', { nodeName: 'node-b' })]);
    const gc = new ContainerGC({ runtime: rt, nodeName: 'node-a', activePods: () => new Set(['live']), rootDir, log: logger('test'), minAgeMs: 1000, now: () => 10_000 });
    await gc.garbageCollect();
    assert.deepEqual(rt.calls, ['stop s-gone', 'remove s-gone', 'remove s-gone-old']);
    assert.equal(existsSync(join(rootDir, 'pods', 'default_pod-gone_gone')), false);
    for (const d of ['default_pod-live_live', 'default_pod-young_young', 'live']) assert.ok(existsSync(join(rootDir, 'pods', d)), d);
  });

  it('a failed removal keeps the pod\'s logs and is ContainerGCFailed on the Node', async () => {
    const rootDir = join(root, 'b');
    mkdirSync(join(rootDir, 'pods', 'default_pod-stuck_stuck'), { recursive: true });
    const rt = fakeRuntime([sb('s-stuck', 'stuck')], new Set(['s-stuck']));
    const events: string[][] = [];
    const gc = new ContainerGC({ runtime: rt, nodeName: 'node-a', activePods: () => new Set(), rootDir, log: logger('test'), nodeEvent: (...e) => events.push(e) });
    await gc.tick();
    assert.deepEqual(events, [['Warning', 'ContainerGCFailed', 'failed to remove sandbox s-stuck: rpc error: code = Unknown desc = busy']]);
    assert.ok(existsSync(join(rootDir, 'pods', 'default_pod-stuck_stuck')));
  });
});
