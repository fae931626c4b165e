// tty in the process runtime: a `tty: true` container runs on a pty (its output in the CRI log as
// stdout, attach sees a terminal and resize applies), and exec with a tty gets a /dev/pts
// terminal whose size follows resize().
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../../../util/log.js';
import { until } from '../../../../test/helpers/until.js';
import type { ExecSession } from '../types.js';
import { ProcessRuntime } from './runtime.js';
import { PtyUnavailableError, spawnPty } from './pty.js';

const dir = mkdtempSync(join(tmpdir(), 'keelson-pty-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sandbox = { uid: 'u', name: 'p', namespace: 'ns', nodeName: 'n', restartPolicy: 'Never' as const, hostNetwork: false, logDirectory: dir };

/** Everything a session prints, as it comes. */
function collect(s: ExecSession): { text: () => string } {
  let out = '';
  s.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return { text: () => out };
}

describe('spawnPty without @lydell/node-pty', () => {
  it('fails with a message that says what is missing and how to get it', () => {
    assert.throws(
      () => spawnPty(['sh'], { env: {} }, () => ({ error: "Cannot find module '@lydell/node-pty'" })),
      (e: Error) => e instanceof PtyUnavailableError && e.message === "process runtime: a tty needs the optional dependency @lydell/node-pty, which is not installed (npm install @lydell/node-pty): Cannot find module '@lydell/node-pty'",
    );
  });
});

describe('ProcessRuntime tty', () => {
  const rt = new ProcessRuntime({ log: logger('test'), hostIP: '127.0.0.1' });
  after(() => rt.close());

  it('exec with a tty: the command sees /dev/pts/N and the size set by resize', async () => {
    const sb = await rt.runPodSandbox(sandbox);
    const id = await rt.createContainer(sb.id, { name: 'c', image: '', command: ['sleep', '30'], args: [], env: [], attempt: 0, logPath: join(dir, 'c', '0.log') });
    await rt.startContainer(id);
    const s = rt.execStream(id, ['sh'], { tty: true, stdin: true });
    const out = collect(s);
    s.stdin.write('tty; stty size\n');
    await until('tty and size', async () => /\/dev\/pts\/\d+/.test(out.text()) && /\r?\n24 80\r?\n/.test(out.text()), 10_000, out.text);
    s.resize!(132, 43);
    s.stdin.write('stty size; exit 3\n');
    assert.equal(await s.exited, 3);
    assert.match(out.text(), /43 132/);
    await rt.stopContainer(id, 0);
  });

  it('a tty container logs its terminal output as stdout; attach gets keystrokes in and resize applied', async () => {
    const sb = await rt.runPodSandbox(sandbox);
    const logPath = join(dir, 't', '0.log');
    const id = await rt.createContainer(sb.id, { name: 't', image: '', command: ['sh', '-c', 'tty; read line; stty size; echo "got $line"; read again'], args: [], env: [], attempt: 0, logPath, tty: true, stdin: true });
    await rt.startContainer(id);
    const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
    await until('tty in the log', async () => /stdout [PF] \/dev\/pts\/\d+/.test(log()), 10_000, log);
    const a = rt.attach(id, { stdin: true, tty: true });
    const out = collect(a);
    a.resize!(100, 30);
    a.stdin.write('hello\r');
    await until('resize and input reached the container', async () => /30 100/.test(out.text()) && /got hello/.test(out.text()), 10_000, out.text);
    a.kill();
    assert.equal((await rt.containerStatus(id))?.state, 'running', 'detaching leaves the container running');
    await rt.stopContainer(id, 0);
    assert.match(log(), /stdout [PF] got hello/);
  });
});
