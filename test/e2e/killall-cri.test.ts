// `keelson killall` after a `keelson server --runtime cri` that was killed (SIGKILL, so nothing of
// its own cleanup ran): the pods' containers and shims, the node's containerd and its pod network
// (the CNI bridge, as k3s-killall.sh deletes cni0) are gone, and a second run has nothing to do.
// Needs root with containerd, runc and the CNI plugins; skipped with the reason otherwise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { criSkipReason } from '../../src/kubelet/runtime/cri/test-support.js';
import { testPodNetwork } from '../helpers/pod-network.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const skip = criSkipReason();

/** Processes whose command line mentions `needle`. */
function processesWith(needle: string): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    });
}

describe('keelson killall after a killed cri server', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-killall-'));
  const net = testPodNetwork();
  let srv: TestServer | undefined;

  before(async () => {
    srv = await startTestServer({ dir, node: 'keelson-killall-node', args: ['--runtime', 'cri', '--disable', 'coredns,kube-proxy', ...net.serverArgs] });
  });
  after(async () => {
    srv?.proc.kill('SIGKILL');
    spawnSync(bin, ['killall', '--data-dir', dir], { stdio: 'ignore' });
    await net.cleanup(join(dir, 'kubelet'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes the containers, containerd and the pod network; a second run has nothing to do', async () => {
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'keelson-left' },
      spec: { containers: [{ name: 'c', image: 'localhost/keelson/pause:1', imagePullPolicy: 'Never' }] },
    });
    assert.equal((await srv!.kubectl(['create', '-f', '-'], { input: pod })).code, 0);
    const w = await srv!.kubectl(['wait', '--for=condition=Ready', 'pod/keelson-left', '--timeout=50s']);
    assert.equal(w.code, 0, w.out + (await srv!.kubectl(['describe', 'pod', 'keelson-left'])).out + srv!.output());
    assert.equal(spawnSync('ip', ['link', 'show', net.bridge]).status, 0, 'the bridge exists while the pod runs');
    srv!.proc.kill('SIGKILL');
    await new Promise((r) => srv!.proc.once('exit', r));
    const ctrd = join(dir, 'containerd');
    assert.ok(processesWith(ctrd).length > 0, 'containerd and the shims outlive a killed server');

    const r = spawnSync(bin, ['killall', '--data-dir', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`removed every container of ${ctrd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.stdout, new RegExp(`removed the pod network \\(bridge ${net.bridge}\\)`));
    assert.deepEqual(processesWith(ctrd), []);
    assert.notEqual(spawnSync('ip', ['link', 'show', net.bridge], { stdio: 'ignore' }).status, 0, 'the bridge is gone');

    const again = spawnSync(bin, ['killall', '--data-dir', dir], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /bridge/);
  });
});
