// Where keelson's API must answer as kube-apiserver does for conformance-style checks and client
// libraries: one apiserver, driven by the real kubectl, plain HTTP and @kubernetes/client-node.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { kubectlExpect } from '../helpers/kubectl.js';

const quantityRegexp = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const pod = `apiVersion: v1
kind: Pod
metadata: {name: keelson-quantities}
spec:
  containers:
  - name: c
    image: busybox
    resources:
      requests: {cpu: 0.5, memory: 1024Mi}
      limits: {cpu: 1000m, memory: 2e9}
  volumes:
  - name: scratch
    emptyDir: {sizeLimit: 2048Mi}
`;

const limitsAndQuota = `apiVersion: v1
kind: LimitRange
metadata: {name: keelson-limits}
spec:
  limits:
  - type: Container
    default: {cpu: 0.25, memory: 512Mi}
    max: {memory: 4096Mi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: keelson-quota}
spec:
  hard: {requests.cpu: 4000m, requests.memory: 8192Mi, pods: 10}
`;

describe('kube-apiserver behaviour clients and conformance checks rely on', () => {
  let api: TestApiServer;
  let k: TestApiServer['kubectl'];
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  const { ok, fails } = kubectlExpect(() => k);
  const post = (path: string, body: unknown) => fetch(api.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    api = await startTestApiServer();
    k = api.kubectl;
    const file = new k8s.KubeConfig();
    file.loadFromFile(api.kubeconfig);
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({ clusters: file.clusters.map((c) => ({ ...c, skipTLSVerify: true })), users: file.users, contexts: file.contexts, currentContext: file.currentContext });
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await api?.stop();
  });

  describe('quantities are stored and returned in canonical form', () => {
    it('kubectl apply: container resources and emptyDir sizeLimit', async () => {
      await ok(['apply', '-f', '-'], pod);
      const got = JSON.parse(await ok(['get', 'pod', 'keelson-quantities', '-o', 'json']));
      assert.deepEqual(got.spec.containers[0].resources, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2G' } });
      assert.equal(got.spec.volumes[0].emptyDir.sizeLimit, '2Gi');
      // Re-applying the same manifest is not a change for kubectl.
      assert.match(await ok(['apply', '-f', '-'], pod), /pod\/keelson-quantities (unchanged|configured)/);
    });

    it('LimitRange and ResourceQuota, as kubectl describe shows them', async () => {
      await ok(['apply', '-f', '-'], limitsAndQuota);
      const lr = JSON.parse(await ok(['get', 'limitrange', 'keelson-limits', '-o', 'json']));
      assert.deepEqual(lr.spec.limits[0].default, { cpu: '250m', memory: '512Mi' });
      assert.deepEqual(lr.spec.limits[0].max, { memory: '4Gi' });
      const rq = JSON.parse(await ok(['get', 'resourcequota', 'keelson-quota', '-o', 'json']));
      assert.deepEqual(rq.spec.hard, { pods: '10', 'requests.cpu': '4', 'requests.memory': '8Gi' });
      await ok(['delete', '-f', '-'], limitsAndQuota);
    });

    it('@kubernetes/client-node: typed create and merge patch', async () => {
      const created = await core.createNamespacedPersistentVolumeClaim({
        namespace: 'default',
        body: { metadata: { name: 'keelson-claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } } },
      });
      assert.equal(created.spec?.resources?.requests?.storage, '1Gi');
      await ok(['create', 'quota', 'keelson-q1', '--hard=requests.cpu=1']);
      const patched = await core.patchNamespacedResourceQuota(
        { name: 'keelson-q1', namespace: 'default', body: { spec: { hard: { 'requests.cpu': '2000m', 'requests.memory': 2000000 } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      assert.deepEqual(patched.spec?.hard, { 'requests.cpu': '2', 'requests.memory': '2M' });
      await ok(['delete', 'quota', 'keelson-q1']);
      await core.deleteNamespacedPersistentVolumeClaim({ name: 'keelson-claim', namespace: 'default' });
    });

    it('a malformed quantity is refused as the decoder refuses it', async () => {
      const r = await post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'keelson-bad' }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: 'lots' } } }] } });
      assert.equal(r.status, 400);
      const st = await r.json();
      assert.equal(st.reason, 'BadRequest');
      assert.equal(st.message, `Pod in version "v1" cannot be handled as a Pod: ${quantityRegexp}`);
      const patched = await fails(['patch', 'resourcequota', 'nothing-here', '-p', '{}']);
      assert.match(patched, /resourcequotas "nothing-here" not found/);
      await ok(['create', 'quota', 'keelson-q2', '--hard=pods=2']);
      const out = await fails(['patch', 'quota', 'keelson-q2', '-p', '{"spec":{"hard":{"pods":"two"}}}']);
      assert.match(out, /The request is invalid: patch: Invalid value: "map\[spec:map\[hard:map\[pods:two\]\]\]": quantities must match the regular expression/);
      assert.equal(await ok(['get', 'quota', 'keelson-q2', '-o', 'jsonpath={.spec.hard.pods}']), '2');
      await ok(['delete', 'quota', 'keelson-q2']);
    });
  });

  describe('fields a built-in kind does not have are dropped, as decoding into its Go type drops them', () => {
    it('create and every patch type: a warning (Warn), nothing stored; Strict is a 400', async () => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keelson-unknown', colour: 'red' }, spec: { a: 1 }, data: { a: 'b' } };
      const created = await post('/api/v1/namespaces/default/configmaps', cm);
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('warning'), '299 - "unknown field \\"metadata.colour\\"", 299 - "unknown field \\"spec\\""');
      const body = await created.json();
      assert.equal(body.spec, undefined);
      assert.equal(body.metadata.colour, undefined);
      const patched = await k(['patch', 'configmap', 'keelson-unknown', '-p', '{"spec":{"b":2},"data":{"c":"d"}}']);
      assert.equal(patched.code, 0, patched.out);
      assert.match(patched.stderr, /Warning: unknown field "spec"/);
      for (const type of ['merge', 'json']) {
        const p = type === 'json' ? '[{"op":"add","path":"/extra","value":1}]' : '{"extra":1}';
        assert.equal((await k(['patch', 'configmap', 'keelson-unknown', '--type', type, '-p', p])).code, 0);
      }
      const got = JSON.parse(await ok(['get', 'configmap', 'keelson-unknown', '-o', 'json']));
      assert.deepEqual(Object.keys(got).sort(), ['apiVersion', 'data', 'kind', 'metadata']);
      assert.deepEqual(got.data, { a: 'b', c: 'd' });
      const strict = await fetch(`${api.url}/api/v1/namespaces/default/configmaps/keelson-unknown?fieldValidation=Strict`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"spec":{"b":2}}' });
      assert.equal(strict.status, 400);
      assert.equal((await strict.json()).message, 'strict decoding error: unknown field "spec"');
      await ok(['delete', 'configmap', 'keelson-unknown']);
    });
  });

  describe('times are stored as metav1.Time encodes them', () => {
    it('@kubernetes/client-node sends milliseconds; the API returns UTC whole seconds; garbage is a 400', async () => {
      const at = new Date('2026-11-23T11:20:56.365Z');
      const ev = await core.createNamespacedEvent({
        namespace: 'default',
        body: { metadata: { name: 'keelson-time' }, involvedObject: { kind: 'Pod', name: 'keelson-quantities', namespace: 'default' }, reason: 'Test', message: 'm', type: 'Normal', count: 1, firstTimestamp: at, lastTimestamp: at, source: { component: 'keelson-test' } },
      });
      assert.equal(ev.firstTimestamp?.toISOString(), '2026-11-23T11:20:56.000Z');
      const raw = JSON.parse(await ok(['get', 'event', 'keelson-time', '-o', 'json']));
      assert.equal(raw.firstTimestamp, '2026-11-23T11:20:56Z');
      assert.equal(raw.lastTimestamp, '2026-11-23T11:20:56Z');
      const r = await post('/api/v1/namespaces/default/events', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'keelson-bad-time' }, involvedObject: { kind: 'Pod', name: 'x' }, firstTimestamp: 'yesterday' });
      assert.equal(r.status, 400);
      assert.equal((await r.json()).message, 'Event in version "v1" cannot be handled as a Event: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"');
      await ok(['delete', 'event', 'keelson-time']);
    });
  });

  describe('container resources are validated as kube validates them', () => {
    it('extended resources: whole numbers, a limit, equal to the request; a bare unknown name', async () => {
      const podWith = (resources: unknown) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'keelson-res' }, spec: { containers: [{ name: 'c', image: 'busybox', resources }] } });
      const R = 'spec.containers\\[0\\].resources';
      assert.match(await fails(['create', '-f', '-'], podWith({ limits: { 'example.com/gpu': '500m' } })), new RegExp(`${R}.limits\\[example.com/gpu\\]: Invalid value: "500m": must be an integer`));
      assert.match(await fails(['create', '-f', '-'], podWith({ requests: { 'example.com/gpu': '1' } })), new RegExp(`${R}.limits: Required value: Limit must be set for non overcommitable resources`));
      assert.match(await fails(['create', '-f', '-'], podWith({ requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } })), new RegExp(`${R}.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2`));
      const bare = await fails(['create', '-f', '-'], podWith({ limits: { maxmemory: '1' } }));
      assert.match(bare, /limits\[maxmemory\]: Invalid value: "maxmemory": must be a standard resource type or fully qualified/);
      assert.match(bare, /limits\[maxmemory\]: Invalid value: "maxmemory": must be a standard resource for containers/);
      // A limit alone is the request too.
      await ok(['create', '-f', '-'], podWith({ limits: { 'example.com/gpu': '2' } }));
      assert.equal(await ok(['get', 'pod', 'keelson-res', '-o', 'jsonpath={.spec.containers[0].resources.requests}']), '{"example.com/gpu":"2"}');
      await ok(['delete', 'pod', 'keelson-res', '--now']);
    });
  });

  describe('strategic merge patches are decoded into the kind like kube does', () => {
    it('a value of the wrong type is refused (422 on `patch`) and nothing is stored', async () => {
      await ok(['create', 'configmap', 'keelson-smp', '--from-literal=a=1']);
      assert.match(await fails(['patch', 'configmap', 'keelson-smp', '-p', '{"data":{"a":5}}']), /The request is invalid: patch: Invalid value: "map\[data:map\[a:5\]\]": cannot convert int64 to string/);
      assert.match(await fails(['patch', 'configmap', 'keelson-smp', '-p', '{"data":5}']), /patch: Invalid value: "map\[data:5\]": cannot restore map from int64/);
      assert.equal(await ok(['get', 'configmap', 'keelson-smp', '-o', 'jsonpath={.data}']), '{"a":"1"}');
      // A patch may not take the object's name away nor move it to another namespace.
      assert.match(await fails(['patch', 'configmap', 'keelson-smp', '--type=merge', '-p', '{"metadata":{"name":null}}']), /the name of the object \(\) does not match the name on the URL \(keelson-smp\)/);
      assert.match(await fails(['patch', 'configmap', 'keelson-smp', '--type=json', '-p', '[{"op":"replace","path":"/metadata/name","value":"other"}]']), /the name of the object \(other\) does not match the name on the URL \(keelson-smp\)/);
      assert.match(await fails(['patch', 'configmap', 'keelson-smp', '-p', '{"metadata":{"namespace":"kube-system"}}']), /the namespace of the object \(kube-system\) does not match the namespace on the URL \(default\)/);
      await ok(['create', 'deployment', 'keelson-smp', '--image=busybox', '--replicas=1']);
      assert.match(await fails(['patch', 'deployment', 'keelson-smp', '-p', '{"spec":{"replicas":"x"}}']), /patch: Invalid value: "map\[spec:map\[replicas:x\]\]": unrecognized type: int32/);
      const r = await fetch(`${api.url}/apis/apps/v1/namespaces/default/deployments/keelson-smp`, { method: 'PATCH', headers: { 'Content-Type': 'application/strategic-merge-patch+json' }, body: '{"spec":{"replicas":1.5}}' });
      assert.equal(r.status, 422);
      const st = await r.json();
      assert.equal(st.reason, 'Invalid');
      assert.deepEqual(st.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "map[spec:map[replicas:1.5]]": cannot convert float64 to int32', field: 'patch' }]);
    });

    it('directives: $patch replace/delete, $setElementOrder, $deleteFromPrimitiveList, $retainKeys; quantities canonical', async () => {
      const d = await apps.patchNamespacedDeployment(
        { name: 'keelson-smp', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'extra', image: 'busybox', resources: { limits: { cpu: 0.1 } } }] } } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      );
      assert.deepEqual(d.spec?.template.spec?.containers.map((c) => c.name), ['extra', 'busybox']);
      assert.deepEqual(d.spec?.template.spec?.containers[0].resources?.limits, { cpu: '100m' });
      const order = JSON.parse(await ok(['patch', 'deployment', 'keelson-smp', '-o', 'json', '-p', '{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"busybox"},{"name":"extra"}]}}}}']));
      assert.deepEqual(order.spec.template.spec.containers.map((c: { name: string }) => c.name), ['busybox', 'extra']);
      const del = JSON.parse(await ok(['patch', 'deployment', 'keelson-smp', '-o', 'json', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"extra","$patch":"delete"}]}}}}']));
      assert.deepEqual(del.spec.template.spec.containers.map((c: { name: string }) => c.name), ['busybox']);
      await ok(['patch', 'deployment', 'keelson-smp', '-p', '{"metadata":{"finalizers":["example.com/a","example.com/b"]}}']);
      const fin = JSON.parse(await ok(['patch', 'deployment', 'keelson-smp', '-o', 'json', '-p', '{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a"]}}']));
      assert.deepEqual(fin.metadata.finalizers, ['example.com/b']);
      const rk = JSON.parse(await ok(['patch', 'deployment', 'keelson-smp', '-o', 'json', '-p', '{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}']));
      assert.deepEqual(rk.spec.strategy, { type: 'Recreate' });
      const rep = JSON.parse(await ok(['patch', 'deployment', 'keelson-smp', '-o', 'json', '-p', '{"metadata":{"finalizers":null},"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"},{"$patch":"replace"}]}}}}']));
      assert.deepEqual(rep.spec.template.spec.containers.map((c: { name: string }) => c.name), ['only']);
      await ok(['delete', 'deployment', 'keelson-smp']);
      await ok(['delete', 'configmap', 'keelson-smp']);
    });
  });
});
