// ttys on `keelson server --runtime process` with the real kubectl, itself run on a
// pseudo-terminal here (node-pty, as a user's terminal would be): `kubectl exec -it`, `kubectl run
// -it` and `kubectl attach -it` give the command a /dev/pts terminal whose size is the client's
// terminal size and follows it when the client's terminal is resized (kubectl's resize messages).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from '@lydell/node-pty';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

const node = 'keelson-tty-node';

/** kubectl on a pty of cols x rows: what it printed so far, keystrokes, resize, its exit code. */
function kubectlOnPty(server: TestServer, args: string[], cols: number, rows: number, env: Record<string, string> = {}) {
  const dir = join(server.kubeconfig, '..');
  const term = pty.spawn('kubectl', args, { cols, rows, env: { ...process.env, KUBECONFIG: server.kubeconfig, KUBECACHEDIR: join(dir, 'kcache'), TERM: 'xterm', ...env } as Record<string, string> });
  let out = '';
  term.onData((d) => (out += d));
  const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  return {
    out: () => out,
    type: (s: string) => term.write(s),
    resize: (c: number, r: number) => term.resize(c, r),
    exited,
    kill: () => term.kill('SIGKILL'),
  };
}

describe('kubectl -it on the process runtime', () => {
  let server: TestServer;
  const sessions: Array<{ kill(): void }> = [];

  before(async () => {
    server = await startTestServer({ dir: mkdtempSync(join(tmpdir(), 'keelson-tty-')), node, args: ['--runtime', 'process'] });
  });
  after(async () => {
    for (const s of sessions) s.kill();
    await server?.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']).catch(() => undefined);
    await server?.stop();
  });

  for (const [proto, env] of [
    ['WebSocket', {}],
    ['SPDY', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }],
  ] as const)
  it(`kubectl exec -it (${proto}): the command gets /dev/pts/N with the client terminal size, and resizes follow`, async () => {
    if ((await server.kubectl(['get', 'pod', 'sleeper'])).code !== 0) {
      const r = await server.kubectl(['run', 'sleeper', '--image=busybox', '--restart=Never', '--', 'sleep', '300']);
      assert.equal(r.code, 0, r.out);
    }
    await until('sleeper Running', async () => (await server.kubectl(['get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 20_000);
    const k = kubectlOnPty(server, ['exec', '-it', 'sleeper', '--', 'sh'], 91, 27, env);
    sessions.push(k);
    // The first resize message may follow the command's start: ask until the size is there.
    await until('a tty of the client size', async () => {
      k.type('tty; stty size\r');
      await new Promise((res) => setTimeout(res, 300));
      return /\/dev\/pts\/\d+/.test(k.out()) && /27 91/.test(k.out());
    }, 20_000, k.out);
    k.resize(120, 33);
    await until('the resize applied', async () => {
      k.type('stty size\r');
      await new Promise((res) => setTimeout(res, 300));
      return /33 120/.test(k.out());
    }, 20_000, k.out);
    k.type('exit 0\r');
    assert.equal(await k.exited, 0, k.out());
  });

  it('kubectl run -it: a tty container attached at once; kubectl attach -it reattaches to its terminal', async () => {
    const k = kubectlOnPty(server, ['run', 'shell', '--image=busybox', '--restart=Never', '-it', '--', 'sh'], 88, 22);
    sessions.push(k);
    await until('attached', async () => /If you don't see a command prompt/.test(k.out()), 30_000, k.out);
    await until('tty and size in the container', async () => {
      k.type('tty; stty size\r');
      await new Promise((res) => setTimeout(res, 300));
      return /\/dev\/pts\/\d+/.test(k.out()) && /22 88/.test(k.out());
    }, 20_000, k.out);
    const pod = JSON.parse((await server.kubectl(['get', 'pod', 'shell', '-o', 'json'])).stdout);
    assert.deepEqual([pod.spec.containers[0].tty, pod.spec.containers[0].stdin], [true, true]);
    // Detach (kill the client): the container keeps running; attach again from another terminal.
    k.kill();
    const a = kubectlOnPty(server, ['attach', '-it', 'shell'], 70, 19);
    sessions.push(a);
    await until('attach resized the terminal', async () => {
      a.type('stty size\r');
      await new Promise((res) => setTimeout(res, 300));
      return /19 70/.test(a.out());
    }, 20_000, a.out);
    a.type('exit 0\r');
    await a.exited;
    await until('shell Succeeded', async () => (await server.kubectl(['get', 'pod', 'shell', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded', 20_000, a.out);
  });
});
