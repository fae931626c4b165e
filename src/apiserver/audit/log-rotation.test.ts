// Audit log rotation as lumberjack (kube's audit log backend) does it: a full file is renamed
// to <name>-<UTC time><ext> between lines, backups beyond maxBackups and older than maxAge go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupTimestamp, RotatingFile } from './log-rotation.js';

const line = (i: number) => `${String(i).padStart(7, '0')}${'x'.repeat(100_000 - 8)}\n`; // 100,000 bytes

test('rotates at maxsize between whole lines; keeps maxbackup newest; drops those past maxage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-audit-rotate-'));
  try {
    const days = 24 * 3600 * 1000;
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    // An old backup left from earlier runs: past maxage, removed at the first rotation.
    await writeFile(join(dir, `audit-${backupTimestamp(new Date(now - 10 * days))}.log`), 'old\n');
    await writeFile(join(dir, 'audit-notes.log'), 'not a backup\n');
    const f = new RotatingFile(join(dir, 'audit.log'), { maxSizeMB: 1, maxBackups: 2, maxAgeDays: 7, now: () => new Date((now += 1000)) });
    // 1 MiB = 10 lines of 100,000 bytes plus change: the 11th line starts a new file.
    for (let i = 0; i < 40; i++) f.write([line(i)]);
    await f.close();
    const names = (await readdir(dir)).sort();
    // Three rotations, the clock read twice each (the name, the age cut-off): 10:00:01, :03, :05.
    assert.deepEqual(names, ['audit-2026-03-01T10-00-03.000.log', 'audit-2026-03-01T10-00-05.000.log', 'audit-notes.log', 'audit.log']);
    const current = await readFile(join(dir, 'audit.log'), 'utf8');
    assert.equal(current.length, 10 * 100_000);
    assert.ok(current.startsWith('0000030'), 'the newest lines are in the live file');
    const newest = await readFile(join(dir, 'audit-2026-03-01T10-00-05.000.log'), 'utf8');
    assert.equal(newest.split('\n').filter(Boolean).length, 10, 'whole lines only');
    assert.ok(newest.startsWith('0000020'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
