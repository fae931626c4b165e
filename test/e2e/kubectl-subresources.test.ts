// `kubectl get --subresource=status|scale` against a fresh apiserver: status prints the kind's
// own columns, scale prints a Scale's (NAME DESIRED AVAILABLE), as kube's printers do; and
// `kubectl scale` through the subresource shows in both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';

describe('kubectl get --subresource', () => {
  let api: TestApiServer;

  before(async () => {
    api = await startTestApiServer();
    const r = await api.kubectl(['create', 'deployment', 'keelson-sub', '--image=busybox', '--replicas=3']);
    assert.equal(r.code, 0, r.out);
  });
  after(async () => {
    await api?.stop();
  });

  it('scale: NAME DESIRED AVAILABLE from the Scale object', async () => {
    let r = await api.kubectl(['get', 'deployment', 'keelson-sub', '--subresource=scale']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^NAME\s+DESIRED\s+AVAILABLE\n/);
    // No controller runs here: nothing is available yet.
    assert.match(r.stdout, /\nkeelson-sub\s+3\s+0\n$/);
    r = await api.kubectl(['scale', 'deployment', 'keelson-sub', '--replicas=5']);
    assert.equal(r.code, 0, r.out);
    r = await api.kubectl(['get', 'deployment', 'keelson-sub', '--subresource=scale', '-o', 'jsonpath={.kind} {.spec.replicas}']);
    assert.equal(r.stdout, 'Scale 5');
    r = await api.kubectl(['get', 'deployment', 'keelson-sub', '--subresource=scale', '--no-headers']);
    assert.match(r.stdout, /^keelson-sub\s+5\s+0\n$/);
  });

  it('status: the kind\'s own columns', async () => {
    const r = await api.kubectl(['get', 'deployment', 'keelson-sub', '--subresource=status']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
  });
});
