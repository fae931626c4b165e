// Durability: a child process writes under load and is killed with SIGKILL at a random moment;
// the reopened store holds every write the child saw acknowledged, and is consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openMvccStore } from './index.js';
import { tempDir } from './test-util.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

async function runAndKill(dir: string, killAfterAcks: number): Promise<Map<string, { rev: number; len: number }>> {
  const p = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<string, { rev: number; len: number }>();
  let buf = '';
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    p.on('error', reject);
    p.on('exit', () => resolve());
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const [tag, key, rev, len] = line.split(' ');
        if (tag !== 'ack') continue;
        acked.set(key, { rev: Number(rev), len: Number(len) });
        if (++count === killAfterAcks) p.kill('SIGKILL');
      }
    });
  });
  assert.equal(p.signalCode, 'SIGKILL', 'the child was killed, not finished');
  return acked;
}

test('kill -9 under concurrent writes loses no acknowledged write', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  try {
    let total = 0;
    for (const killAt of [3000 + Math.floor(Math.random() * 2000), 500 + Math.floor(Math.random() * 1000)]) {
      const acked = await runAndKill(dir, killAt);
      assert.ok(acked.size >= killAt / 2);
      const s = await openMvccStore({ dataDir: dir });
      try {
        const maxRev = Math.max(...[...acked.values()].map((a) => a.rev));
        const all = await s.range({ key: Buffer.from('crash/'), rangeEnd: Buffer.from('crash0') });
        assert.ok(all.header.revision >= maxRev, `revision ${all.header.revision} >= acknowledged ${maxRev}`);
        const byKey = new Map(all.kvs.map((kv) => [kv.key.toString(), kv]));
        for (const [key, a] of acked) {
          const kv = byKey.get(key);
          assert.ok(kv, `acknowledged key ${key} is present`);
          assert.equal(kv.modRevision, a.rev, `${key} revision`);
          assert.equal(kv.value.length, a.len);
        }
        // Consistency: revisions of the keys are unique per write and within the store's revision.
        for (const kv of all.kvs) assert.ok(kv.modRevision <= all.header.revision);
        // Every revision in history is readable and the store accepts new writes.
        const h = await s.range({ key: Buffer.from('crash/'), rangeEnd: Buffer.from('crash0'), revision: maxRev, countOnly: true });
        assert.ok(h.count >= acked.size);
        const w = await s.put({ key: Buffer.from('after-crash'), value: Buffer.from('ok') });
        assert.equal(w.header.revision, all.header.revision + 1);
        total = all.count;
      } finally {
        await s.close();
      }
    }
    assert.ok(total > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
