import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../../../util/log.js';
import { ProcessRuntime } from './runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'keelson-procrt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sandbox = { uid: 'u', name: 'p', namespace: 'ns', nodeName: 'n', restartPolicy: 'Never' as const, hostNetwork: false, logDirectory: dir };
const exited = (rt: ProcessRuntime, id: string) =>
  new Promise<void>((resolve) => {
    rt.onContainerEvent((_sb, c) => c === id && resolve());
  });

describe('ProcessRuntime', () => {
  const rt = new ProcessRuntime({ log: logger('test'), hostIP: '127.0.0.1' });
  after(() => rt.close());

  it('runs a command with env and workingDir, writes a CRI log, reports the exit code', async () => {
    const sb = await rt.runPodSandbox(sandbox);
    assert.equal(sb.ip, '127.0.0.1');
    const logPath = join(dir, 'c', '0.log');
    const id = await rt.createContainer(sb.id, { name: 'c', image: 'busybox', command: ['sh', '-c'], args: ['echo "$X $(pwd)"; printf partial >&2; exit 7'], env: [{ name: 'X', value: 'hello' }], workingDir: dir, attempt: 0, logPath });
    const done = exited(rt, id);
    await rt.startContainer(id);
    await done;
    const s = (await rt.containerStatus(id))!;
    assert.deepEqual([s.state, s.exitCode, s.reason], ['exited', 7, 'Error']);
    await new Promise((r) => setTimeout(r, 50));
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n').sort();
    assert.equal(lines.length, 2);
    assert.match(lines.find((l) => l.includes(' stdout '))!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z stdout F hello ${dir}$`));
    assert.match(lines.find((l) => l.includes(' stderr '))!, / stderr F partial$/);
  });

  it('stops with SIGTERM, then SIGKILL after the grace period', async () => {
    const sb = await rt.runPodSandbox(sandbox);
    const id = await rt.createContainer(sb.id, { name: 'stubborn', image: '', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.05; done'], args: [], env: [], attempt: 0, logPath: join(dir, 's', '0.log') });
    await rt.startContainer(id);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await rt.stopContainer(id, 1);
    const took = Date.now() - t0;
    const s = (await rt.containerStatus(id))!;
    assert.equal(s.state, 'exited');
    assert.equal(s.exitCode, 137);
    assert.ok(took >= 900 && took < 5000, `killed after the grace period (${took} ms)`);
  });

  it('fails a container without a command with ContainerCannotRun and a clear message', async () => {
    const sb = await rt.runPodSandbox(sandbox);
    const id = await rt.createContainer(sb.id, { name: 'nocmd', image: 'example.com/team/app:v1', command: [], args: [], env: [], attempt: 0, logPath: join(dir, 'n', '0.log') });
    await rt.startContainer(id);
    const s = (await rt.containerStatus(id))!;
    assert.deepEqual([s.state, s.reason], ['exited', 'ContainerCannotRun']);
    assert.match(s.message, /no command or args.*"example.com\/team\/app:v1"/);
  });

  it('runs `busybox <applet>` commands with the host applet when busybox is missing', async () => {
    const sb = await rt.runPodSandbox(sandbox);
    const logPath = join(dir, 'bb', '0.log');
    const id = await rt.createContainer(sb.id, { name: 'bb', image: 'busybox', command: ['busybox', 'sh', '-c', 'echo via-busybox'], args: [], env: [], attempt: 0, logPath });
    const done = exited(rt, id);
    await rt.startContainer(id);
    await done;
    assert.equal((await rt.containerStatus(id))!.exitCode, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.match(readFileSync(logPath, 'utf8'), / stdout F via-busybox\n$/);
  });

  it('execs in the container context', async () => {
    const sb = await rt.runPodSandbox({ ...sandbox, hostname: 'web-0' });
    const id = await rt.createContainer(sb.id, { name: 'e', image: '', command: ['sleep', '5'], args: [], env: [{ name: 'Y', value: 'why' }], attempt: 0, logPath: join(dir, 'e', '0.log') });
    await rt.startContainer(id);
    // HOSTNAME as a container runtime sets it: the pod's hostname.
    const r = await rt.exec(id, ['sh', '-c', 'echo $Y $HOSTNAME; exit 3'], 5);
    assert.deepEqual([r.exitCode, r.stdout], [3, 'why web-0\n']);
    await rt.stopContainer(id, 0);
  });
});
