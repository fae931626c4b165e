// Storage object in-use protection against `keelson server --runtime process`, through the real
// kubectl: claims and volumes get their protection finalizers at creation, a claim deleted
// while a pod uses it stays Terminating (kubectl describe shows it), and once the pod is gone
// the claim goes, and with it its dynamically provisioned volume.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const node = 'keelson-pvcprot-node';

describe('PVC and PV protection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-pvcprot-'));
  const mnt = mkdtempSync(join(tmpdir(), 'keelson-pvcprot-mnt-'));
  let srv: TestServer | undefined;
  let kubectl: ReturnType<typeof kubectlWith>;
  let pv = '';

  before(async () => {
    srv = await startTestServer({ dir, node, args: ['--runtime', 'process'] });
    kubectl = srv.kubectl;
  });
  after(async () => {
    await srv?.stop();
    rmSync(mnt, { recursive: true, force: true });
  });

  it('claims and volumes are created with their protection finalizers', async () => {
    const manifest = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: keelson-data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: keelson-user}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: [sleep, "3600"]
    volumeMounts: [{name: d, mountPath: ${mnt}}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: keelson-data}}]
`;
    let r = await kubectl(['apply', '-f', '-'], { input: manifest });
    assert.equal(r.code, 0, r.out);
    r = await kubectl(['wait', '--for=condition=Ready', 'pod/keelson-user', '--timeout=60s']);
    assert.equal(r.code, 0, r.out);
    r = await kubectl(['get', 'pvc', 'keelson-data', '-o', 'jsonpath={.metadata.finalizers} {.spec.volumeName}']);
    const [finalizers, volume] = r.stdout.split(' ');
    assert.equal(finalizers, '["kubernetes.io/pvc-protection"]');
    pv = volume;
    r = await kubectl(['get', 'pv', pv, '-o', 'jsonpath={.metadata.finalizers}']);
    assert.equal(r.stdout, '["kubernetes.io/pv-protection"]');
  });

  it('a claim in use stays Terminating until its pod is gone', async () => {
    let r = await kubectl(['delete', 'pvc', 'keelson-data', '--wait=false']);
    assert.equal(r.code, 0, r.out);
    // The protection controller had time to act: the claim is still there.
    await new Promise((res) => setTimeout(res, 2000));
    r = await kubectl(['get', 'pvc', 'keelson-data', '--no-headers']);
    assert.match(r.stdout, /^keelson-data\s+Terminating\s/, r.out);
    r = await kubectl(['describe', 'pvc', 'keelson-data']);
    assert.match(r.stdout, /Status:\s+Terminating \(lasts /);
    assert.match(r.stdout, /Finalizers:\s+\[kubernetes\.io\/pvc-protection\]/);
    assert.match(r.stdout, /Used By:\s+keelson-user/);
    r = await kubectl(['delete', 'pod', 'keelson-user']);
    assert.equal(r.code, 0, r.out);
    await until('claim gone', async () => (await kubectl(['get', 'pvc', 'keelson-data'])).code !== 0, 30_000);
    await until('volume gone', async () => (await kubectl(['get', 'pv', pv])).code !== 0, 30_000);
  });
});
