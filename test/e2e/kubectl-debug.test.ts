// `kubectl debug` against `keelson server --runtime process`: the ephemeral container kubectl
// adds through pods/ephemeralcontainers is started by the kubelet (once, never restarted),
// reported in status.ephemeralContainerStatuses, attachable (`-i`) and has logs, and leaves the
// pod's phase and readiness alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const node = 'keelson-debug-node';

interface Status {
  name: string;
  restartCount: number;
  ready: boolean;
  state: { terminated?: { exitCode: number; reason: string }; running?: unknown; waiting?: { reason: string } };
}

describe('kubectl debug (ephemeral containers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-debug-'));
  let srv: TestServer | undefined;
  let kubectl: ReturnType<typeof kubectlWith>;

  before(async () => {
    srv = await startTestServer({ dir, node, args: ['--runtime', 'process'] });
    kubectl = srv.kubectl;
    const r = await kubectl(['run', 'target', '--image=busybox', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.out);
    const w = await kubectl(['wait', '--for=condition=Ready', 'pod/target', '--timeout=60s']);
    assert.equal(w.code, 0, w.out);
  });
  after(async () => {
    await srv?.stop();
  });

  const statuses = async (): Promise<Status[]> => {
    const r = await kubectl(['get', 'pod', 'target', '-o', 'jsonpath={.status.ephemeralContainerStatuses}']);
    return r.stdout ? (JSON.parse(r.stdout) as Status[]) : [];
  };

  it('runs a debug container to completion, with logs, and the pod stays Ready', async () => {
    const r = await kubectl(['debug', 'target', '--image=busybox', '-c', 'keelson-dbg1', '--', 'echo', 'hello-from-debug']);
    assert.equal(r.code, 0, r.out);
    await until('dbg1 terminated', async () => !!(await statuses()).find((s) => s.name === 'keelson-dbg1')?.state.terminated, 30_000);
    const s = (await statuses()).find((x) => x.name === 'keelson-dbg1')!;
    assert.deepEqual([s.state.terminated!.exitCode, s.state.terminated!.reason, s.ready, s.restartCount], [0, 'Completed', false, 0]);
    const logs = await kubectl(['logs', 'target', '-c', 'keelson-dbg1']);
    assert.equal(logs.stdout, 'hello-from-debug\n');
    const pod = await kubectl(['get', 'pod', 'target', '--no-headers']);
    assert.match(pod.stdout, /^target\s+1\/1\s+Running\s+0\s/);
  });

  it('a failing debug container is not restarted', async () => {
    const r = await kubectl(['debug', 'target', '--image=busybox', '-c', 'keelson-dbg2', '--', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 0, r.out);
    await until('dbg2 terminated', async () => !!(await statuses()).find((s) => s.name === 'keelson-dbg2')?.state.terminated, 30_000);
    // Give a restart the time it would take (the first restart is immediate).
    await new Promise((res) => setTimeout(res, 2000));
    const s = (await statuses()).find((x) => x.name === 'keelson-dbg2')!;
    assert.deepEqual([s.state.terminated!.exitCode, s.state.terminated!.reason, s.restartCount], [3, 'Error', 0]);
    const desc = await kubectl(['describe', 'pod', 'target']);
    assert.match(desc.stdout, /Ephemeral Containers:\n\s+keelson-dbg1:/);
    assert.match(desc.stdout, /keelson-dbg2:[\s\S]*?State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+3/);
  });

  it('-i attaches to the debug container: stdin in, output out', async () => {
    const r = await kubectl(['debug', '-i', 'target', '--image=busybox', '-c', 'keelson-dbg3', '--target=target', '--', 'sh', '-c', 'read x; echo got-$x'], { input: 'keelson-line\n', timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /got-keelson-line/);
    await until('dbg3 terminated', async () => !!(await statuses()).find((s) => s.name === 'keelson-dbg3')?.state.terminated, 30_000);
  });

  it('an existing ephemeral container cannot be changed (422 from the subresource)', async () => {
    const r = await kubectl(['debug', 'target', '--image=busybox:other', '-c', 'keelson-dbg1', '--', 'true']);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /The Pod "target" is invalid: spec\.ephemeralContainers\[keelson-dbg1\]: Forbidden: existing ephemeral containers "keelson-dbg1" may not be changed/);
  });
});
