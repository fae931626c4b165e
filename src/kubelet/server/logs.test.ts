import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamLog, type LogOptions } from './logs.js';

const file = [
  '2026-11-22T20:00:00.000000001Z stdout F one',
  '2026-11-22T20:00:01.000000001Z stderr P tw',
  '2026-11-22T20:00:01.500000001Z stderr F o',
  '2026-11-22T20:00:02.000000001Z stdout F',
  '2026-11-22T20:00:03.000000001Z stdout F three',
  '',
].join('\n');

async function read(o: Partial<LogOptions>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-logs-'));
  try {
    const p = join(dir, '0.log');
    writeFileSync(p, file);
    let out = '';
    await streamLog(p, { follow: false, timestamps: false, ...o }, { write: (s) => void (out += s), closed: false }, async () => false, new AbortController().signal);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('kubelet containerLogs', () => {
  it('strips the CRI prefix and joins partial records', async () => {
    assert.equal(await read({}), 'one\ntwo\n\nthree\n');
  });
  it('timestamps (of the first record of a line), tailLines, limitBytes, since', async () => {
    assert.equal(await read({ timestamps: true, tailLines: 3 }), '2026-11-22T20:00:01.000000001Z two\n2026-11-22T20:00:02.000000001Z \n2026-11-22T20:00:03.000000001Z three\n');
    assert.equal(await read({ tailLines: 0 }), '');
    assert.equal(await read({ limitBytes: 6 }), 'one\ntw');
    assert.equal(await read({ sinceMs: Date.parse('2026-11-22T20:00:02Z') }), '\nthree\n');
  });
  it('a missing file is an empty log', async () => {
    let out = '';
    await streamLog(undefined, { follow: false, timestamps: false }, { write: (s) => void (out += s), closed: false }, async () => false, new AbortController().signal);
    assert.equal(out, '');
  });
});
