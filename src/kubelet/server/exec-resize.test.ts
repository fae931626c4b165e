// kubectl's resize messages (TerminalSize JSON; one per line on the SPDY resize stream) applied to
// a tty session, malformed ones ignored as the kubelet's streaming server ignores them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { ExecSession } from '../runtime/types.js';
import { applyResize } from './exec.js';

function session(): { s: ExecSession; sizes: Array<[number, number]> } {
  const sizes: Array<[number, number]> = [];
  const s: ExecSession = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), exited: new Promise(() => undefined), kill: () => undefined, resize: (w, h) => sizes.push([w, h]) };
  return { s, sizes };
}

describe('applyResize', () => {
  it('applies one message, or several sent one per line', () => {
    const { s, sizes } = session();
    applyResize(s, Buffer.from('{"Width":120,"Height":40}'));
    applyResize(s, Buffer.from('{"Width":80,"Height":24}\n{"Width":100,"Height":30}\n'));
    assert.deepEqual(sizes, [
      [120, 40],
      [80, 24],
      [100, 30],
    ]);
  });

  it('ignores malformed messages and sessions without a terminal', () => {
    const { s, sizes } = session();
    applyResize(s, Buffer.from('not json\n{"Width":"80","Height":24}\n{"Height":24}\n'));
    assert.deepEqual(sizes, []);
    const { s: plain } = session();
    delete plain.resize;
    assert.doesNotThrow(() => applyResize(plain, Buffer.from('{"Width":80,"Height":24}')));
  });
});
