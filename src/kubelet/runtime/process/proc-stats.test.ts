// /proc accounting of a process group (the process runtime's ContainerStats) and of the host.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostStats, processGroupStats } from './proc-stats.js';
import { until } from '../../../../test/helpers/until.js';

describe('proc stats', () => {
  it('a process group: cpu of its members and of their reaped children, resident memory; gone after exit', async () => {
    // A child shell counts (then exits and is reaped), the leader sleeps.
    const c = spawn('sh', ['-c', 'sh -c \'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done\'; sleep 30'], { detached: true, stdio: 'ignore' });
    try {
      let s: Awaited<ReturnType<typeof processGroupStats>>;
      await until('cpu accounted', async () => {
        s = await processGroupStats(c.pid!);
        return (s?.cpuUsageCoreNanoSeconds ?? 0) >= 1e7;
      }, 10_000);
      assert.ok(s!.memoryWorkingSetBytes > 100 * 1024, String(s!.memoryWorkingSetBytes));
    } finally {
      process.kill(-c.pid!, 'SIGKILL');
    }
    await until('group gone', async () => (await processGroupStats(c.pid!)) === undefined, 5000);
  });

  it('the host: busy cpu and memory', async () => {
    const h = await hostStats();
    assert.ok(h.cpuUsageCoreNanoSeconds > 0);
    assert.ok(h.memory.capacityBytes > h.memory.workingSetBytes && h.memory.workingSetBytes > 0);
    assert.equal(h.memory.capacityBytes - h.memory.availableBytes, h.memory.workingSetBytes);
  });
});
