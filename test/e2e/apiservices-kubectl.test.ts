// apiregistration.k8s.io/v1 APIServices through the real kubectl: one Local APIService per served
// group version with kube's priorities and Available=True (reason Local), CRD group versions
// registered and removed with their CRDs, kube's table and validation, and an APIService that
// points at a Service stored but Available=False (keelson has no aggregation proxy).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';
import { kubectlExpect } from '../helpers/kubectl.js';

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.keelson.example.com}
spec:
  group: keelson.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}}
  - {name: v1beta1, served: true, storage: false, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}}
`;

const remote = (name: string, group: string, version: string, extra = '') => `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: ${name}}
spec:
  group: ${group}
  version: ${version}
  groupPriorityMinimum: 1000
  versionPriority: 15
  service: {namespace: default, name: keelson-ext}
${extra}`;

describe('APIServices (apiregistration.k8s.io/v1) with kubectl', () => {
  let api: TestApiServer;
  const { ok, fails } = kubectlExpect(() => api.kubectl);
  /** Poll `get apiservices` until `re` matches (or does not, with `absent`); the registration runs after the CRD change. */
  const eventually = async (re: RegExp, absent = false) => {
    let out = '';
    for (let i = 0; i < 100; i++) {
      out = await ok(['get', 'apiservices']);
      if (re.test(out) !== absent) return out;
      await sleep(100);
    }
    assert.fail(`${re} ${absent ? 'still' : 'never'} in:\n${out}`);
  };

  before(async () => {
    api = await startTestApiServer();
    // Written right after start-up (not gated by /readyz).
    await until('the bootstrap objects', async () => (await api.kubectl(['get', 'apiservice', 'v1.'])).code === 0, 20_000);
  });
  after(async () => {
    await api?.stop();
  });

  it('lists a Local APIService per served group version, with kube\'s priorities', async () => {
    assert.match(await ok(['api-versions']), /^apiregistration\.k8s\.io\/v1$/m);
    const out = await ok(['get', 'apiservices']);
    assert.match(out, /^NAME\s+SERVICE\s+AVAILABLE\s+AGE$/m);
    for (const n of ['v1.', 'v1.apps', 'v2.autoscaling', 'v1.node.k8s.io', 'v1.flowcontrol.apiserver.k8s.io', 'v1.apiregistration.k8s.io', 'v1beta1.metrics.k8s.io'])
      assert.match(out, new RegExp(`^${n.replace(/\./g, '\\.')}\\s+Local\\s+True\\s+\\S+$`, 'm'));
    const core = JSON.parse(await ok(['get', 'apiservice', 'v1.', '-o', 'json']));
    assert.deepEqual(core.spec, { group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 });
    assert.equal(core.metadata.labels['kube-aggregator.kubernetes.io/automanaged'], 'onstart');
    assert.deepEqual(
      core.status.conditions.map((c: any) => [c.type, c.status, c.reason]),
      [['Available', 'True', 'Local']],
    );
    const apps = JSON.parse(await ok(['get', 'apiservice', 'v1.apps', '-o', 'json']));
    assert.equal(apps.spec.groupPriorityMinimum, 17800);
    assert.equal(apps.spec.versionPriority, 15);
  });

  it('registers CRD group versions while the CRD exists', async () => {
    await ok(['apply', '-f', '-'], crd);
    await eventually(/^v1beta1\.keelson\.example\.com\s+Local\s+True/m);
    const out = await eventually(/^v1\.keelson\.example\.com\s+Local\s+True/m);
    assert.ok(out);
    const svc = JSON.parse(await ok(['get', 'apiservice', 'v1.keelson.example.com', '-o', 'json']));
    assert.equal(svc.spec.groupPriorityMinimum, 1000);
    assert.equal(svc.spec.versionPriority, 100);
    assert.equal(svc.metadata.labels['kube-aggregator.kubernetes.io/automanaged'], 'true');
    await ok(['delete', 'crd', 'widgets.keelson.example.com']);
    await eventually(/keelson\.example\.com/m, true);
  });

  it('stores an APIService backed by a Service, unavailable for want of a proxy; update and delete', async () => {
    await ok(['create', '-f', '-'], remote('v1alpha1.ext.keelson.io', 'ext.keelson.io', 'v1alpha1'));
    const line = await eventually(/^v1alpha1\.ext\.keelson\.io\s+default\/keelson-ext\s+False \(AggregationNotSupported\)\s+\S+$/m);
    assert.ok(line);
    const svc = JSON.parse(await ok(['get', 'apiservice', 'v1alpha1.ext.keelson.io', '-o', 'json']));
    assert.equal(svc.spec.service.port, 443);
    assert.match(svc.status.conditions[0].message, /does not proxy aggregated APIs/);
    await ok(['patch', 'apiservice', 'v1alpha1.ext.keelson.io', '--type=merge', '-p', '{"spec":{"versionPriority":20}}']);
    assert.equal(await ok(['get', 'apiservice', 'v1alpha1.ext.keelson.io', '-o', 'jsonpath={.spec.versionPriority}']), '20');
    await ok(['delete', 'apiservice', 'v1alpha1.ext.keelson.io']);
    assert.match(await fails(['get', 'apiservice', 'v1alpha1.ext.keelson.io']), /apiservices.apiregistration.k8s.io "v1alpha1.ext.keelson.io" not found/);
  });

  it('refuses invalid APIServices with kube-aggregator\'s messages', async () => {
    let out = await fails(['create', '-f', '-'], remote('wrong.name', 'ext.keelson.io', 'v1'));
    assert.match(out, /metadata.name: Invalid value: "wrong.name": must be `spec.version\+"."\+spec.group`: "v1.ext.keelson.io"/);
    out = await fails(['create', '-f', '-'], remote('v1.ext.keelson.io', 'ext.keelson.io', 'v1', '  versionPriority: 0').replace('  versionPriority: 15\n', ''));
    assert.match(out, /spec.versionPriority: Invalid value: 0: must be positive and less than 1000/);
    out = await fails(['create', '-f', '-'], `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v2.}
spec: {version: v2, groupPriorityMinimum: 100, versionPriority: 100}
`);
    assert.match(out, /spec.group: Required value: only v1 may have an empty group and it better be legacy kube/);
  });
});
