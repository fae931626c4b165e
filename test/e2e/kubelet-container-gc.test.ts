// Container GC by `keelson kubelet --runtime cri` on a real containerd: a pod deleted while its
// kubelet was down leaves a running sandbox behind (cri containers outlive the kubelet); the
// restarted kubelet (--container-gc-period 1s) stops and removes it and the pod's log
// directory, while a pod that still exists keeps its sandbox and running container (adopted).
// Needs root with containerd, runc and the CNI plugins; skipped with the reason otherwise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CriClient } from '../../src/kubelet/runtime/cri/client.js';
import { buildBusyboxImage, criSkipReason, startTestContainerd, type TestContainerd } from '../../src/kubelet/runtime/cri/test-support.js';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { startTestKubelet, type TestKubelet } from '../helpers/kubelet.js';
import { until } from '../helpers/until.js';

const skip = criSkipReason();
const NODE = 'keelson-container-gc-node';
const IMAGE = 'localhost/keelson-e2e/cgc-busybox:1';

describe('kubelet container GC on containerd', { skip }, () => {
  let api: TestApiServer;
  let ctrd: TestContainerd;
  let cri: CriClient;
  let kubelet: TestKubelet | undefined;
  let dir: string;
  /** Output of the kubelet started last (also after it stopped). */
  let last: TestKubelet | undefined;
  const logs = () => last?.output() ?? '';
  const startKubelet = () =>
    (last = startTestKubelet(['--kubeconfig', api.kubeconfig, '--hostname-override', NODE, '--runtime', 'cri', '--container-runtime-endpoint', ctrd.endpoint, '--port', '0', '--root-dir', join(dir, 'kubelet'), '--container-gc-period', '1s']));
  const stopKubelet = async () => {
    const k = kubelet;
    kubelet = undefined;
    await k?.stop();
  };
  const jp = async (pod: string, path: string) => (await api.kubectl(['get', 'pod', pod, '-o', `jsonpath={${path}}`])).stdout;
  const sandboxesOf = async (uid: string) => ((await cri.runtime('ListPodSandbox', { filter: { label_selector: { 'io.kubernetes.pod.uid': uid } } })).items as unknown[]).length;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-containergc-'));
    api = await startTestApiServer();
    ctrd = await startTestContainerd();
    buildBusyboxImage(join(dir, 'bb.tar'), IMAGE, ['sleep', '3600']);
    ctrd.importImage(join(dir, 'bb.tar'));
    cri = new CriClient(ctrd.endpoint, 30_000);
  });
  after(async () => {
    await stopKubelet();
    cri?.close();
    await ctrd?.stop();
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes the sandbox and logs of a pod deleted while the kubelet was down; a live pod keeps its container', async () => {
    for (const name of ['doomed', 'keeper']) {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: IMAGE, imagePullPolicy: 'Never' }] } };
      assert.equal((await api.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) })).code, 0);
    }
    kubelet = startKubelet();
    await until('both pods Running', async () => (await jp('doomed', '.status.phase')) === 'Running' && (await jp('keeper', '.status.phase')) === 'Running', 60_000, logs);
    const doomedUid = await jp('doomed', '.metadata.uid');
    const keeperUid = await jp('keeper', '.metadata.uid');
    const keeperContainer = await jp('keeper', '.status.containerStatuses[0].containerID');
    const logDir = join(dir, 'kubelet', 'pods', `default_doomed_${doomedUid}`);
    assert.ok(existsSync(logDir));
    await stopKubelet();
    assert.equal(await sandboxesOf(doomedUid), 1, 'the sandbox outlives the kubelet');
    assert.equal((await api.kubectl(['delete', 'pod', 'doomed', '--grace-period=0', '--force'])).code, 0);
    kubelet = startKubelet();
    await until('the deleted pod\'s sandbox removed', async () => (await sandboxesOf(doomedUid)) === 0, 30_000, logs);
    await until('its log directory removed', async () => !existsSync(logDir), 10_000, logs);
    assert.match(logs(), /Removing the pod sandbox of a pod that no longer exists/);
    assert.equal(await sandboxesOf(keeperUid), 1);
    assert.equal(await jp('keeper', '.status.phase'), 'Running');
    assert.equal(await jp('keeper', '.status.containerStatuses[0].containerID'), keeperContainer, 'the live pod\'s container was adopted, not replaced');
    assert.equal(await jp('keeper', '.status.containerStatuses[0].restartCount'), '0');
    assert.equal((await api.kubectl(['delete', 'pod', 'keeper', '--wait=true', '--timeout=60s'])).code, 0);
  });
});
