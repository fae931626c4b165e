// `kubectl cp` (tar through exec) and `kubectl exec` against `keelson server --runtime process`:
// as root the process runtime gives a container with volumes a mount namespace of its own, and
// exec runs in it, so what the container wrote to its volume is what `kubectl exec`/`cp` see
// (not the host's directory of the same path), and files copied in land in the volume.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kubectlWith } from '../helpers/kubectl.js';

const node = 'keelson-cp-node';
const root = process.getuid?.() === 0;

describe('kubectl cp and exec see the container\'s volumes', { skip: root ? false : 'needs root (mount namespaces of the process runtime)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-cp-'));
  // The mount point: an (empty) directory on the host, the emptyDir inside the container.
  const mnt = mkdtempSync(join(tmpdir(), 'keelson-cp-mnt-'));
  const local = mkdtempSync(join(tmpdir(), 'keelson-cp-local-'));
  let srv: TestServer | undefined;
  let kubectl: ReturnType<typeof kubectlWith>;

  before(async () => {
    srv = await startTestServer({ dir, node, args: ['--runtime', 'process'] });
    kubectl = srv.kubectl;
    const manifest = `apiVersion: v1
kind: Pod
metadata: {name: keelson-cp}
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'echo written-inside > ${mnt}/inside.txt; sleep 3600']
    volumeMounts: [{name: data, mountPath: ${mnt}}]
  volumes: [{name: data, emptyDir: {}}]
`;
    const r = await kubectl(['apply', '-f', '-'], { input: manifest });
    assert.equal(r.code, 0, r.out);
    const w = await kubectl(['wait', '--for=condition=Ready', 'pod/keelson-cp', '--timeout=60s']);
    assert.equal(w.code, 0, w.out);
  });
  after(async () => {
    await srv?.stop();
    for (const d of [mnt, local]) rmSync(d, { recursive: true, force: true });
  });

  it('exec reads the file the container wrote to its volume', async () => {
    const r = await kubectl(['exec', 'keelson-cp', '--', 'cat', `${mnt}/inside.txt`]);
    assert.equal(r.stdout, 'written-inside\n', r.out);
    assert.deepEqual(readdirSync(mnt), [], 'the host directory stays empty');
  });

  it('cp copies out of and into the volume', async () => {
    let r = await kubectl(['cp', `keelson-cp:${mnt}/inside.txt`, join(local, 'out.txt')]);
    assert.equal(r.code, 0, r.out);
    assert.equal(readFileSync(join(local, 'out.txt'), 'utf8'), 'written-inside\n');
    writeFileSync(join(local, 'in.txt'), 'copied-in\n');
    r = await kubectl(['cp', join(local, 'in.txt'), `keelson-cp:${mnt}/in.txt`]);
    assert.equal(r.code, 0, r.out);
    r = await kubectl(['exec', 'keelson-cp', '--', 'cat', `${mnt}/in.txt`]);
    assert.equal(r.stdout, 'copied-in\n', r.out);
    assert.deepEqual(readdirSync(mnt), []);
  });

  it('a program that is not there: the runtime\'s words', async () => {
    const r = await kubectl(['exec', 'keelson-cp', '--', 'keelson-no-such-program']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /exec: "keelson-no-such-program": executable file not found in \$PATH/);
  });
});
