// Image garbage collection by `keelson kubelet --runtime cri` on a real containerd: with
// --image-gc-high-threshold 1 the test machine's disk is always over the threshold, so every
// round (--image-gc-period 1s) must collect. An image no container uses is removed; the image
// of a running pod and the sandbox (pause) image stay; with --image-gc-low-threshold 0 the
// kubelet cannot free enough and says so on the Node (FreeDiskSpaceFailed, kubelet's message).
// The default --image-minimum-gc-age (2m) applies: images present when the kubelet starts count
// as old, as the kubelet's first image detection does. Needs root with containerd, runc and the
// CNI plugins; skipped with the reason otherwise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CriClient } from '../../src/kubelet/runtime/cri/client.js';
import { buildBusyboxImage, criSkipReason, startTestContainerd, type TestContainerd } from '../../src/kubelet/runtime/cri/test-support.js';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { startTestKubelet, type TestKubelet } from '../helpers/kubelet.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const skip = criSkipReason();
const NODE = 'keelson-image-gc-node';
const USED = 'localhost/keelson-e2e/gc-used:1';
const UNUSED = 'localhost/keelson-e2e/gc-unused:1';

describe('kubelet image garbage collection on containerd', { skip }, () => {
  let api: TestApiServer;
  let ctrd: TestContainerd;
  let cri: CriClient;
  let kubelet: TestKubelet | undefined;
  let dir: string;
  /** Output of the kubelet started last (also after it stopped). */
  let last: TestKubelet | undefined;
  const logs = () => last?.output() ?? '';
  const startKubelet = (gcArgs: string[]) =>
    (last = startTestKubelet(['--kubeconfig', api.kubeconfig, '--hostname-override', NODE, '--runtime', 'cri', '--container-runtime-endpoint', ctrd.endpoint, '--port', '0', '--root-dir', join(dir, 'kubelet'), ...gcArgs]));
  const stopKubelet = async () => {
    const k = kubelet;
    kubelet = undefined;
    await k?.stop();
  };
  const phase = async () => (await api.kubectl(['get', 'pod', 'keeper', '-o', 'jsonpath={.status.phase}'])).stdout;
  const tags = async () => ((await cri.image('ListImages', {})).images as Array<{ repo_tags: string[] }>).flatMap((i) => i.repo_tags);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-imagegc-'));
    api = await startTestApiServer();
    ctrd = await startTestContainerd();
    // Two distinct images (different Cmd, so different config digests).
    buildBusyboxImage(join(dir, 'used.tar'), USED, ['sleep', '3600']);
    buildBusyboxImage(join(dir, 'unused.tar'), UNUSED, ['true']);
    ctrd.importImage(join(dir, 'used.tar'));
    ctrd.importImage(join(dir, 'unused.tar'));
    cri = new CriClient(ctrd.endpoint, 30_000);
    assert.ok((await tags()).includes(UNUSED));
    // A pod uses USED before the kubelet that collects starts: a first kubelet with image GC
    // off (threshold 100) runs it; its container outlives that kubelet and the next adopts it.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'keeper' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: USED, imagePullPolicy: 'Never' }] } };
    assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) })).code, 0);
    kubelet = startKubelet(['--image-gc-high-threshold', '100']);
    await until('keeper Running', async () => (await phase()) === 'Running', 60_000, logs);
    await stopKubelet();
    assert.match(logs(), /ImageGCHighThresholdPercent is set 100, Disable image GC/);
    assert.ok((await tags()).includes(UNUSED), 'nothing collected with GC off');
  });
  after(async () => {
    await stopKubelet();
    cri?.close();
    await ctrd?.stop();
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects bad thresholds with kubelet\'s validation error', async () => {
    const p = spawn(bin, ['kubelet', '--kubeconfig', api.kubeconfig, '--runtime', 'cri', '--container-runtime-endpoint', ctrd.endpoint, '--image-gc-high-threshold', '70', '--image-gc-low-threshold', '80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => p.once('exit', r));
    assert.notEqual(code, 0);
    assert.match(out, /invalid configuration: LowThresholdPercent 80 can not be higher than HighThresholdPercent 70/);
  });

  it('removes the unused image, keeps the running pod\'s and the sandbox image, and reports FreeDiskSpaceFailed', async () => {
    kubelet = startKubelet(['--image-gc-high-threshold', '1', '--image-gc-low-threshold', '0', '--image-gc-period', '1s']);
    await until('the unused image removed', async () => !(await tags()).includes(UNUSED), 30_000, logs);
    const left = await tags();
    assert.ok(left.includes(USED), `the running pod's image stays: ${left.join(' ')}`);
    assert.ok(left.includes(ctrd.sandboxImage), `the sandbox image stays: ${left.join(' ')}`);
    assert.match(logs(), /"imageID":"sha256:[0-9a-f]{64}".*"msg":"Removing image to free bytes"/);
    const ev = await until(
      'a FreeDiskSpaceFailed event on the Node',
      async () => {
        const r = await api.kubectl(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.kind=Node,involvedObject.name=${NODE},reason=FreeDiskSpaceFailed`, '-o', 'json']);
        return (JSON.parse(r.stdout).items as Array<Record<string, any>>)[0];
      },
      30_000,
      logs,
    );
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.source.component, 'kubelet');
    assert.match(ev.message, /^Failed to garbage collect required amount of images\. Attempted to free \d+ bytes, but only found \d+ bytes eligible to free\.$/);
    // The pod keeps running on its image.
    assert.equal(await phase(), 'Running');
    assert.equal((await api.kubectl(['delete', 'pod', 'keeper', '--wait=true', '--timeout=60s'])).code, 0);
  });
});
