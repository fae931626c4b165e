// `kubectl debug` against `keelson server --runtime cri` (containerd): the ephemeral container is
// a real container in the pod's sandbox (its hostname), and `--target` puts it in the target
// container's PID namespace (CRI NamespaceMode TARGET), so `ps` shows the target's processes.
// Needs root with containerd, runc and the CNI plugins; skipped with the reason otherwise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startContainerd } from '../../src/kubelet/runtime/cri/containerd.js';
import { buildBusyboxImage, criSkipReason } from '../../src/kubelet/runtime/cri/test-support.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const skip = criSkipReason();
const IMAGE = 'localhost/keelson-e2e/busybox:1';
const node = 'keelson-debug-cri-node';

describe('kubectl debug on containerd', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-debug-cri-'));
  let srv: TestServer | undefined;
  let kubectl: ReturnType<typeof kubectlWith>;

  before(async () => {
    srv = await startTestServer({ dir, node, args: ['--runtime', 'cri', '--disable', 'coredns,kube-proxy'] });
    kubectl = srv.kubectl;
    buildBusyboxImage(join(dir, 'bb.tar'), IMAGE);
    execFileSync(bin, ['images', 'import', '--data-dir', dir, join(dir, 'bb.tar')], { stdio: 'pipe' });
    const r = await kubectl(['run', 'keelson-target', `--image=${IMAGE}`, '--image-pull-policy=Never', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.out);
    const w = await kubectl(['wait', '--for=condition=Ready', 'pod/keelson-target', '--timeout=90s']);
    assert.equal(w.code, 0, w.out + (await kubectl(['describe', 'pod', 'keelson-target'])).out + (await kubectl(['get', 'nodes', '-o', 'wide'])).out);
  });
  after(async () => {
    if (srv) {
      // Containers outlive the server (as after a kubelet restart): purge them through our
      // containerd before the data dir goes.
      const exited = new Promise((r) => srv!.proc.once('exit', r));
      srv.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      try {
        const c = await startContainerd({ dataDir: join(dir, 'containerd'), cniConfDir: join(dir, 'containerd', 'cni', 'net.d') });
        await c.stop({ purge: true });
      } catch (e) {
        console.error('purging containerd failed:', (e as Error).message);
      }
      await srv.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const terminated = async (name: string) => {
    const r = await kubectl(['get', 'pod', 'keelson-target', '-o', `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${name}")].state.terminated.reason}`]);
    return r.stdout;
  };

  it('the debug container runs in the pod\'s sandbox', async () => {
    const r = await kubectl(['debug', 'keelson-target', `--image=${IMAGE}`, '--image-pull-policy=Never', '-c', 'keelson-dbg-uts', '--', 'hostname']);
    assert.equal(r.code, 0, r.out);
    await until('keelson-dbg-uts done', async () => (await terminated('keelson-dbg-uts')) === 'Completed', 60_000, () => srv!.output());
    assert.equal((await kubectl(['logs', 'keelson-target', '-c', 'keelson-dbg-uts'])).stdout, 'keelson-target\n');
    const id = await kubectl(['get', 'pod', 'keelson-target', '-o', 'jsonpath={.status.ephemeralContainerStatuses[0].containerID}']);
    assert.match(id.stdout, /^containerd:\/\/[0-9a-f]{64}$/);
  });

  it('--target shares the target container\'s PID namespace', async () => {
    const r = await kubectl(['debug', 'keelson-target', `--image=${IMAGE}`, '--image-pull-policy=Never', '-c', 'keelson-dbg-pid', '--target=keelson-target', '--', 'ps']);
    assert.equal(r.code, 0, r.out);
    await until('keelson-dbg-pid done', async () => (await terminated('keelson-dbg-pid')) === 'Completed', 60_000, () => srv!.output());
    const logs = (await kubectl(['logs', 'keelson-target', '-c', 'keelson-dbg-pid'])).stdout;
    assert.match(logs, /^\s*1\s+\S+\s+sleep 3600$/m, logs);
  });
});
