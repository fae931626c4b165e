import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { PatchError, SMP_UNSUPPORTED_MESSAGE } from './errors.js';
import { mergeInfoFor } from './merge-keys.js';

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
const deploy = (podSpec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { app: 'd' } },
  spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: podSpec }, ...extra },
});
const smp = applyStrategicMergePatch;
const rejects = (fn: () => unknown, code: number, message: string | RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PatchError, String(e));
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });

test('containers merge by name; untouched fields and containers stay', () => {
  const live = pod({ containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'b:1' }] });
  const out = smp(live, { spec: { containers: [{ name: 'a', image: 'a:2' }] } });
  assert.deepEqual(out.spec, { containers: [{ name: 'a', image: 'a:2', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'b:1' }] });
  assert.equal((live.spec.containers as any)[0].image, 'a:1', 'live object not mutated');
});

test('a new container goes before server-only ones, as in the Kubernetes docs example', () => {
  // apimachinery's mergeSortedSlice puts patch items first when the live order cannot place them
  // (docs: "Update API Objects in Place Using kubectl patch", patch-demo-ctr-2 lands first).
  const out = smp(pod({ containers: [{ name: 'a', image: 'a' }] }), { spec: { containers: [{ name: 'b', image: 'b' }] } });
  assert.deepEqual((out.spec as any).containers, [{ name: 'b', image: 'b' }, { name: 'a', image: 'a' }]);
});

test('$patch: delete removes a list element by merge key', () => {
  const out = smp(pod({ containers: [{ name: 'a' }, { name: 'b' }] }), { spec: { containers: [{ name: 'b', $patch: 'delete' }] } });
  assert.deepEqual((out.spec as any).containers, [{ name: 'a' }]);
});

test('$patch: replace element replaces the whole merge list', () => {
  const out = smp(pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b' }] }), { spec: { containers: [{ name: 'c' }, { $patch: 'replace' }] } });
  assert.deepEqual((out.spec as any).containers, [{ name: 'c' }]);
});

test('$patch: replace in a map replaces the map', () => {
  const out = smp(pod({ nodeSelector: { a: '1', b: '2' } }), { spec: { nodeSelector: { $patch: 'replace', c: '3' } } });
  assert.deepEqual((out.spec as any).nodeSelector, { c: '3' });
});

test('$patch: delete in a map empties it', () => {
  const out = smp(pod({ affinity: { nodeAffinity: { x: 1 } } }), { spec: { affinity: { $patch: 'delete' } } });
  assert.deepEqual((out.spec as any).affinity, {});
});

test('null deletes map keys (labels) and fields', () => {
  const live = pod({ restartPolicy: 'Always' }, { name: 'p', labels: { a: '1', b: '2' } });
  const out = smp(live, { metadata: { labels: { a: null, c: '3' } }, spec: { restartPolicy: null } });
  assert.deepEqual((out.metadata as any).labels, { b: '2', c: '3' });
  assert.deepEqual(out.spec, {});
});

test('lists without a merge strategy are replaced (tolerations, args)', () => {
  const live = pod({ tolerations: [{ key: 'a' }, { key: 'b' }], containers: [{ name: 'c', args: ['1', '2'] }] });
  const out = smp(live, { spec: { tolerations: [{ key: 'z' }], containers: [{ name: 'c', args: ['3'] }] } });
  assert.deepEqual((out.spec as any).tolerations, [{ key: 'z' }]);
  assert.deepEqual((out.spec as any).containers, [{ name: 'c', args: ['3'] }]);
});

test('primitive merge lists (finalizers) are a union in Kubernetes order', () => {
  const live = pod({}, { name: 'p', finalizers: ['a', 'b'] });
  const out = smp(live, { metadata: { finalizers: ['c', 'a'] } });
  // patch items in patch order, server-only items placed by live order: same as apimachinery
  assert.deepEqual((out.metadata as any).finalizers, ['c', 'a', 'b']);
});

test('$deleteFromPrimitiveList removes from a primitive merge list', () => {
  const live = pod({}, { name: 'p', finalizers: ['a', 'b', 'c'] });
  const out = smp(live, { metadata: { $deleteFromPrimitiveList: undefined, '$deleteFromPrimitiveList/finalizers': ['b'] } });
  assert.deepEqual((out.metadata as any).finalizers, ['a', 'c']);
  const out2 = smp(pod({}, { name: 'p' }), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } });
  assert.equal((out2.metadata as any).finalizers, undefined);
});

test('$setElementOrder reorders merge lists', () => {
  const live = pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  const out = smp(live, { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }], containers: [{ name: 'a', image: 'x' }] } });
  assert.deepEqual((out.spec as any).containers, [{ name: 'c' }, { name: 'a', image: 'x' }, { name: 'b' }]);
});

test('$setElementOrder keeps server-only items at their live position', () => {
  const live = pod({ containers: [{ name: 'a' }, { name: 's' }, { name: 'b' }] });
  const out = smp(live, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } });
  assert.deepEqual((out.spec as any).containers, [{ name: 's' }, { name: 'b' }, { name: 'a' }]);
});

test('$setElementOrder inconsistent with the patch list is a BadRequest', () => {
  const live = pod({ containers: [{ name: 'a' }, { name: 'b' }] });
  rejects(() => smp(live, { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b', image: 'x' }] } }), 400, /doesn't match \$setElementOrder list/);
});

test('$retainKeys clears keys not listed (Deployment strategy)', () => {
  const live = deploy({ containers: [{ name: 'c' }] }, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  const out = smp(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
  assert.deepEqual((out.spec as any).strategy, { type: 'Recreate' });
});

test('volumes merge by name with $retainKeys switching the volume source', () => {
  const live = pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', configMap: { name: 'cm' } }] });
  const out = smp(live, { spec: { volumes: [{ name: 'v', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/x' } }] } });
  assert.deepEqual((out.spec as any).volumes, [{ name: 'v', hostPath: { path: '/x' } }, { name: 'w', configMap: { name: 'cm' } }]);
});

test('$retainKeys must cover the patched keys', () => {
  const live = deploy({ containers: [] }, { strategy: { type: 'RollingUpdate' } });
  rejects(() => smp(live, { spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: {} } } }), 400, 'invalid patch format of retainKeys');
});

test('env merges by name, ports by containerPort, volumeMounts by mountPath', () => {
  const live = pod({
    containers: [
      {
        name: 'c',
        env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
        ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }],
        volumeMounts: [{ mountPath: '/a', name: 'v' }],
      },
    ],
  });
  const out = smp(live, {
    spec: { containers: [{ name: 'c', env: [{ name: 'B', value: '3' }], ports: [{ containerPort: 80, protocol: 'TCP' }], volumeMounts: [{ mountPath: '/b', name: 'w' }] }] },
  });
  assert.deepEqual((out.spec as any).containers[0], {
    name: 'c',
    env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }],
    ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }],
    volumeMounts: [{ mountPath: '/b', name: 'w' }, { mountPath: '/a', name: 'v' }],
  });
});

test('Service ports merge by port; conditions merge by type; ownerReferences by uid', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', ownerReferences: [{ uid: 'u1', name: 'a' }] }, spec: { ports: [{ port: 80, targetPort: 8080 }] }, status: { conditions: [{ type: 'X', status: 'True' }] } };
  const out = smp(svc, {
    metadata: { ownerReferences: [{ uid: 'u2', name: 'b' }] },
    spec: { ports: [{ port: 80, name: 'http' }, { port: 443 }] },
    status: { conditions: [{ type: 'X', status: 'False' }, { type: 'Y', status: 'True' }] },
  });
  assert.deepEqual((out.metadata as any).ownerReferences.map((o: any) => o.uid), ['u2', 'u1']);
  assert.deepEqual((out.spec as any).ports, [{ port: 80, targetPort: 8080, name: 'http' }, { port: 443 }]);
  assert.deepEqual((out.status as any).conditions, [{ type: 'X', status: 'False' }, { type: 'Y', status: 'True' }]);
});

test('node status conditions and addresses merge by type (kubelet status patch)', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n' }], conditions: [{ type: 'Ready', status: 'False' }] } };
  const out = smp(node, { status: { $setElementOrder: undefined, addresses: [{ type: 'InternalIP', address: '10.0.0.2' }], conditions: [{ type: 'Ready', status: 'True' }] } });
  assert.deepEqual((out.status as any).addresses, [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'n' }]);
  assert.deepEqual((out.status as any).conditions, [{ type: 'Ready', status: 'True' }]);
});

test('kubectl cordon and taint shaped patches', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } };
  const out = smp(node, { spec: { unschedulable: true, taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'NoExecute' }] } });
  assert.deepEqual(out.spec, { unschedulable: true, taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'NoExecute' }] });
});

test('kubectl client-side re-apply: one env value in one container merges', () => {
  const live = deploy({
    containers: [
      { name: 'app', image: 'app:1', imagePullPolicy: 'IfNotPresent', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], resources: {} },
      { name: 'sidecar', image: 'side:1', env: [{ name: 'X', value: 'x' }] },
    ],
    restartPolicy: 'Always',
  });
  const lastApplied = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"}}';
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
          containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'B', value: '3' }], name: 'app' }],
        },
      },
    },
  };
  const out = smp(live, patch) as any;
  assert.deepEqual(out.spec.template.spec.containers, [
    { name: 'app', image: 'app:1', imagePullPolicy: 'IfNotPresent', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }], resources: {} },
    { name: 'sidecar', image: 'side:1', env: [{ name: 'X', value: 'x' }] },
  ]);
  assert.equal(out.spec.template.spec.restartPolicy, 'Always');
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], lastApplied);
  assert.deepEqual(out.metadata.labels, { app: 'd' });
  assert.ok(!JSON.stringify(out).includes('$setElementOrder'), 'directives never reach the object');
});

test('kubectl client-side apply: env var removed from the config is deleted', () => {
  const live = deploy({ containers: [{ name: 'app', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] });
  const patch = {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], name: 'app' }] } } },
  };
  const out = smp(live, patch) as any;
  assert.deepEqual(out.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);
});

test('kubectl rollout restart shaped patch adds an annotation to the template', () => {
  const live = deploy({ containers: [{ name: 'c' }] });
  const out = smp(live, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } } }) as any;
  assert.deepEqual(out.spec.template.metadata, { labels: { app: 'd' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } });
});

test('new subtrees are cleaned of nulls and directives', () => {
  const out = smp(pod({}), { spec: { nodeSelector: { a: null, b: 'x' }, containers: [{ name: 'c', '$setElementOrder/env': [{ name: 'E' }], env: [{ name: 'E', value: 'v' }] }] } }) as any;
  assert.deepEqual(out.spec, { nodeSelector: { b: 'x' }, containers: [{ name: 'c', env: [{ name: 'E', value: 'v' }] }] });
});

test('a value of another type replaces the live one', () => {
  const out = smp(pod({ x: { a: 1 } }), { spec: { x: 'str' } });
  assert.deepEqual(out.spec, { x: 'str' });
});

test('malformed directives and missing merge keys are BadRequest', () => {
  rejects(() => smp(pod({}), { spec: { $patch: 'frob' } }), 400, 'unknown patch type: frob in map: map[$patch:frob]');
  rejects(() => smp(pod({ containers: [{ name: 'a' }] }), { spec: { containers: [{ image: 'x' }] } }), 400, 'map: map[image:x] does not contain declared merge key: name');
  rejects(() => smp(pod({ containers: [{ name: 'a' }] }), { spec: { containers: [{ $patch: 'merge' }] } }), 400, 'merging lists cannot yet be specified in the patch');
  rejects(() => smp(pod({}), [1]), 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
});

test('custom resources are 415 with the Kubernetes message', () => {
  const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { a: 1 } };
  rejects(() => smp(cr, { spec: { a: 2 } }), 415, SMP_UNSUPPORTED_MESSAGE);
  assert.equal(SMP_UNSUPPORTED_MESSAGE, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
});

test('other built-in groups merge maps and replace lists', () => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', labels: { a: '1' } }, rules: [{ verbs: ['get'] }] };
  const out = smp(role, { metadata: { labels: { b: '2' } }, rules: [{ verbs: ['list'] }] }) as any;
  assert.deepEqual(out.metadata.labels, { a: '1', b: '2' });
  assert.deepEqual(out.rules, [{ verbs: ['list'] }]);
});

test('CronJob job template containers merge by name', () => {
  const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } } } } } };
  const out = smp(cj, { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: '2' }] } } } } } }) as any;
  assert.deepEqual(out.spec.jobTemplate.spec.template.spec.containers, [{ name: 'a', image: '2' }, { name: 'b' }]);
});

test('mergeInfoFor: merge keys as k8s.io/api declares them', () => {
  const d = mergeInfoFor('apps/v1', 'Deployment')!;
  const podSpec = d.fields!.spec.fields!.template.fields!.spec;
  assert.equal(podSpec.fields!.containers.patchMergeKey, 'name');
  assert.equal(podSpec.fields!.volumes.patchStrategy, 'merge,retainKeys');
  assert.deepEqual(podSpec.fields!.containers.items!.fields!.ports.listMapKeys, ['containerPort', 'protocol']);
  assert.equal(podSpec.fields!.tolerations.patchStrategy, undefined);
  assert.equal(d.fields!.spec.fields!.strategy.patchStrategy, 'retainKeys');
  assert.equal(mergeInfoFor('example.com/v1', 'Widget'), undefined);
});

test('kubectl client-side apply removing a finalizer: $setElementOrder + $deleteFromPrimitiveList', () => {
  const live = pod({}, { name: 'p', finalizers: ['a.io/x', 'b.io/y'] });
  const out = smp(live, { metadata: { '$setElementOrder/finalizers': ['a.io/x'], '$deleteFromPrimitiveList/finalizers': ['b.io/y'] } }) as any;
  assert.deepEqual(out.metadata.finalizers, ['a.io/x']);
});

test('$setElementOrder on a primitive merge list orders the union', () => {
  const live = pod({}, { name: 'p', finalizers: ['a', 'b'] });
  const out = smp(live, { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } }) as any;
  assert.deepEqual(out.metadata.finalizers, ['c', 'b', 'a']);
});

test('null inside a merged list element deletes that field', () => {
  const live = pod({ containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1' } } }] });
  const out = smp(live, { spec: { containers: [{ name: 'c', resources: null }] } }) as any;
  assert.deepEqual(out.spec.containers, [{ name: 'c', image: 'i' }]);
});

test('a patch without apiVersion/kind uses the live object kind', () => {
  const live = pod({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] });
  const out = smp(live, { spec: { containers: [{ name: 'b', image: '2' }] } }) as any;
  assert.equal(out.apiVersion, 'v1');
  assert.deepEqual(out.spec.containers.map((c: any) => c.image), ['1', '2']);
});

test('webhook configurations merge webhooks by name', () => {
  const live = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'm' }, webhooks: [{ name: 'a.io', sideEffects: 'None' }, { name: 'b.io' }] };
  const out = smp(live, { webhooks: [{ name: 'a.io', timeoutSeconds: 5 }] }) as any;
  assert.deepEqual(out.webhooks, [{ name: 'a.io', sideEffects: 'None', timeoutSeconds: 5 }, { name: 'b.io' }]);
});
