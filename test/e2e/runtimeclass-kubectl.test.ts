// node.k8s.io/v1 RuntimeClass through the real kubectl: create/get/list/update/delete, the
// table kube prints, kube's validation messages, and the RuntimeClass admission plugin on pods
// (missing class refused, overhead set from the class, scheduling merged into the pod).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { kubectlExpect } from '../helpers/kubectl.js';

const rc = (name: string, handler: string, extra = '') => `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: ${name}}
handler: ${handler}
${extra}`;

const pod = (name: string, spec = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers: [{name: c, image: busybox}]
${spec}`;

describe('RuntimeClass (node.k8s.io/v1) with kubectl', () => {
  let api: TestApiServer;
  const { ok, fails } = kubectlExpect(() => api.kubectl);

  before(async () => {
    api = await startTestApiServer();
  });
  after(async () => {
    await api?.stop();
  });

  it('is served, created, listed with NAME HANDLER AGE, updated and deleted', async () => {
    assert.match(await ok(['api-versions']), /^node\.k8s\.io\/v1$/m);
    assert.match(await ok(['api-resources', '--api-group=node.k8s.io']), /runtimeclasses\s+node\.k8s\.io\/v1\s+false\s+RuntimeClass/);
    await ok(['apply', '-f', '-'], rc('keelson-runc', 'runc'));
    const table = await ok(['get', 'runtimeclasses']);
    assert.match(table, /^NAME\s+HANDLER\s+AGE$/m);
    assert.match(table, /^keelson-runc\s+runc\s+\d+s$/m);
    await ok(['label', 'runtimeclass', 'keelson-runc', 'tier=fast']);
    assert.equal(await ok(['get', 'runtimeclass', 'keelson-runc', '-o', 'jsonpath={.metadata.labels.tier}']), 'fast');
    const out = await fails(['patch', 'runtimeclass', 'keelson-runc', '--type=merge', '-p', '{"handler":"kata"}']);
    assert.match(out, /The RuntimeClass "keelson-runc" is invalid: handler: Invalid value: "kata": field is immutable/);
    await ok(['delete', 'runtimeclass', 'keelson-runc']);
    assert.match(await fails(['get', 'runtimeclass', 'keelson-runc']), /runtimeclasses.node.k8s.io "keelson-runc" not found/);
  });

  it('refuses an invalid handler, overhead or toleration with kube messages', async () => {
    let out = await fails(['create', '-f', '-'], rc('keelson-bad', 'Bad_Handler'));
    assert.match(out, /handler: Invalid value: "Bad_Handler": a lowercase RFC 1123 label must consist of/);
    out = await fails(['create', '-f', '-'], rc('keelson-bad', 'runc', 'overhead: {podFixed: {cpu: "-1"}}'));
    assert.match(out, /overhead.limits\[cpu\]: Invalid value: "-1": must be greater than or equal to 0/);
    out = await fails(['create', '-f', '-'], rc('keelson-bad', 'runc', 'scheduling: {tolerations: [{key: a, operator: Exists}, {key: a, operator: Exists}]}'));
    assert.match(out, /scheduling.tolerations\[1\]: Duplicate value/);
  });

  it('admits pods through their class: not found, overhead, nodeSelector and tolerations', async () => {
    let out = await fails(['create', '-f', '-'], pod('keelson-p0', '  runtimeClassName: missing'));
    assert.match(out, /pods "keelson-p0" is forbidden: pod rejected: RuntimeClass "missing" not found/);

    await ok(['create', '-f', '-'], rc('keelson-kata', 'kata', `overhead: {podFixed: {cpu: 250m, memory: 120Mi}}
scheduling:
  nodeSelector: {keelson.io/runtime: kata}
  tolerations: [{key: keelson.io/kata, operator: Exists, effect: NoSchedule}]
`));
    await ok(['create', '-f', '-'], pod('keelson-p1', `  runtimeClassName: keelson-kata
  nodeSelector: {disk: ssd}`));
    const p = JSON.parse(await ok(['get', 'pod', 'keelson-p1', '-o', 'json']));
    assert.deepEqual(p.spec.overhead, { cpu: '250m', memory: '120Mi' });
    assert.deepEqual(p.spec.nodeSelector, { disk: 'ssd', 'keelson.io/runtime': 'kata' });
    assert.ok(p.spec.tolerations.some((t: any) => t.key === 'keelson.io/kata' && t.operator === 'Exists' && t.effect === 'NoSchedule'));

    out = await fails(['create', '-f', '-'], pod('keelson-p2', `  runtimeClassName: keelson-kata
  overhead: {cpu: "1"}`));
    assert.match(out, /pods "keelson-p2" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead/);
    // The same overhead written differently is the same quantity: accepted.
    await ok(['create', '-f', '-'], pod('keelson-p3', `  runtimeClassName: keelson-kata
  overhead: {cpu: "0.25", memory: 120Mi}`));

    out = await fails(['create', '-f', '-'], pod('keelson-p4', `  runtimeClassName: keelson-kata
  nodeSelector: {keelson.io/runtime: runc}`));
    assert.match(out, /conflict: runtimeClass.scheduling.nodeSelector\[keelson.io\/runtime\] = kata; pod.spec.nodeSelector\[keelson.io\/runtime\] = runc/);

    out = await fails(['create', '-f', '-'], pod('keelson-p5', '  overhead: {cpu: 100m}'));
    assert.match(out, /pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead/);
  });
});
