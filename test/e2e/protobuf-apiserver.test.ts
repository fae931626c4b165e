// kubectl 1.32's protobuf creates through a real `keelson apiserver` (the esbuild bundle run by
// bin/keelson unless KEELSON_E2E_INPROCESS=1): what a user reads back with `kubectl get -o json`
// carries the values only protobuf-aware decoding keeps (explicit zeros of Go pointers, bytes,
// quantities, int-or-strings).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { encodeKubernetesProtobuf, frameKubernetesProtobuf, KUBERNETES_PROTOBUF_CONTENT_TYPE } from '../../src/api/protobuf/index.js';

describe('kubectl protobuf creates through keelson apiserver', () => {
  let api: TestApiServer;
  const ok = async (args: string[]) => {
    const r = await api.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.out}\n${api.logs()}`);
    return r.stdout;
  };
  const get = async (ref: string, ns = 'default') => JSON.parse(await ok(['get', ref, '-n', ns, '-o', 'json']));

  before(async () => {
    api = await startTestApiServer();
  });
  after(async () => {
    await api?.stop();
  });

  it('create deployment --replicas=0 keeps the explicit zero', async () => {
    assert.match(await ok(['create', 'deployment', 'zero', '--image=nginx:1.25', '--replicas=0', '--port=8080']), /deployment.apps\/zero created/);
    const d = await get('deployment/zero');
    assert.equal(d.spec.replicas, 0);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'zero' } });
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 8080);
  });

  it('configmap from files (text and binary) and a secret round-trip their bytes', async () => {
    const blob = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    await writeFile(join(api.dataDir, 'blob.bin'), blob);
    await writeFile(join(api.dataDir, 'app.properties'), 'a=1\n');
    await ok(['create', 'configmap', 'files', `--from-file=blob=${join(api.dataDir, 'blob.bin')}`, `--from-file=${join(api.dataDir, 'app.properties')}`]);
    const cm = await get('configmap/files');
    assert.deepEqual(cm.data, { 'app.properties': 'a=1\n' });
    assert.deepEqual(cm.binaryData, { blob: blob.toString('base64') });

    await ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cr=t']);
    const s = await get('secret/creds');
    assert.equal(Buffer.from(s.data.password, 'base64').toString(), 's3cr=t');
    assert.equal(s.type, 'Opaque');
  });

  it('service, pdb, priorityclass, quota and ingress keep int-or-strings, zeros and quantities', async () => {
    await ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    const svc = await get('service/web');
    assert.equal(svc.spec.ports[0].port, 80);
    assert.equal(svc.spec.ports[0].targetPort, 8080);

    await ok(['create', 'pdb', 'web', '--selector=app=web', '--min-available=50%']);
    assert.equal((await get('pdb/web')).spec.minAvailable, '50%');

    await ok(['create', 'priorityclass', 'zero', '--value=0']);
    const pc = await get('priorityclass/zero');
    assert.equal(pc.value, 0);

    await ok(['create', 'quota', 'q', '--hard=cpu=500m,memory=1Gi,pods=4']);
    assert.deepEqual((await get('resourcequota/q')).spec.hard, { cpu: '500m', memory: '1Gi', pods: '4' });

    await ok(['create', 'ingress', 'web', '--rule=web.example/=web:80']);
    const ing = await get('ingress/web');
    assert.deepEqual(ing.spec.rules[0].http.paths[0].backend, { service: { name: 'web', port: { number: 80 } } });
  });

  it('namespace, job, cronjob and RBAC kinds are created from protobuf', async () => {
    await ok(['create', 'namespace', 'team-a']);
    assert.equal((await get('namespace/team-a', '')).metadata.name, 'team-a');
    await ok(['create', 'job', 'once', '--image=busybox', '--', 'true']);
    assert.deepEqual((await get('job/once')).spec.template.spec.containers[0].command, ['true']);
    await ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *']);
    assert.equal((await get('cronjob/tick')).spec.schedule, '*/5 * * * *');
    await ok(['create', 'role', 'reader', '--verb=get,list', '--resource=pods']);
    assert.deepEqual((await get('role/reader')).rules, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]);
    await ok(['create', 'rolebinding', 'reader', '--role=reader', '--user=alice']);
    assert.deepEqual((await get('rolebinding/reader')).roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
  });

  it('undecodable protobuf bodies get a Status error, not a crash', async () => {
    const post = (body: Buffer) => fetch(`${api.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST', headers: { 'content-type': KUBERNETES_PROTOBUF_CONTENT_TYPE }, body: new Uint8Array(body),
    });
    for (const body of [
      Buffer.from('not protobuf'),
      frameKubernetesProtobuf('example.com/v1', 'Widget', Buffer.alloc(0)),
      encodeKubernetesProtobuf('v1', 'ConfigMap', { metadata: { name: 'x' } }).subarray(0, 12),
    ]) {
      const r = await post(body);
      assert.ok(r.status === 400 || r.status === 415, `status ${r.status}`);
      const status = await r.json();
      assert.equal(status.kind, 'Status');
      assert.equal(status.status, 'Failure');
    }
    // and the server still serves a good protobuf body afterwards
    const good = await post(encodeKubernetesProtobuf('v1', 'ConfigMap', { metadata: { name: 'after', creationTimestamp: {} }, data: { k: 'v' } }));
    assert.equal(good.status, 201, await good.text());
    assert.deepEqual((await get('configmap/after')).data, { k: 'v' });
  });
});
