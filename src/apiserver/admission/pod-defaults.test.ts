// The small mutating plugins: Priority (class resolution, global default, errors),
// DefaultTolerationSeconds, DefaultStorageClass / DefaultIngressClass, and the plugin set and
// order the options give.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { priority } from './priority.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { defaultIngressClass, defaultStorageClass } from './default-class.js';
import { enabledPlugins } from './index.js';
import { bootstrap } from '../bootstrap.js';
import { ApiError } from '../status.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  await bootstrap(f.resources, { serviceIP: '10.96.0.1', advertiseAddress: '127.0.0.1', port: 6443 });
});
after(() => f.close());

const pod = (spec: object = {}) => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const create = (plugin: ReturnType<typeof priority>, obj: object, resource = 'pods', group = '') => admit([plugin], attrs('CREATE', { resource, group, namespace: 'default' }, obj));

test('priority: built-in classes, default 0, a missing class and a contradicting value', async () => {
  const p = priority(f.resources);
  const crit = await create(p, pod({ priorityClassName: 'system-node-critical' }));
  assert.equal(crit.object!.spec.priority, 2000001000);
  assert.equal(crit.object!.spec.preemptionPolicy, 'PreemptLowerPriority');
  const plain = await create(p, pod());
  assert.equal(plain.object!.spec.priority, 0);
  await assert.rejects(create(p, pod({ priorityClassName: 'nope' })), (e: ApiError) => e.code === 403 && e.message === 'pods "p" is forbidden: no PriorityClass with name nope was found');
  await assert.rejects(
    create(p, pod({ priorityClassName: 'system-cluster-critical', priority: 5 })),
    (e: ApiError) => e.message === 'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 2000000000 from the given PriorityClass name',
  );
});

test('priority: the globalDefault class applies to pods without one, and only one may be default', async () => {
  await f.create('scheduling.k8s.io', 'priorityclasses', { metadata: { name: 'normal' }, value: 1000, globalDefault: true, preemptionPolicy: 'Never' });
  const p = priority(f.resources);
  const a = await create(p, pod());
  assert.equal(a.object!.spec.priorityClassName, 'normal');
  assert.equal(a.object!.spec.priority, 1000);
  assert.equal(a.object!.spec.preemptionPolicy, 'Never');
  await assert.rejects(
    admit([p], attrs('CREATE', { group: 'scheduling.k8s.io', resource: 'priorityclasses' }, { metadata: { name: 'other' }, value: 1, globalDefault: true })),
    (e: ApiError) => e.message === 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass normal is already marked as default. Only one default can exist',
  );
});

test('default toleration seconds: added unless the pod tolerates the taints already', async () => {
  const a = await create(defaultTolerationSeconds(), pod());
  assert.deepEqual(a.object!.spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  const mine = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 };
  const b = await create(defaultTolerationSeconds(), pod({ tolerations: [mine] }));
  assert.deepEqual(b.object!.spec.tolerations.map((t: { key: string }) => t.key), ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']);
  const all = await create(defaultTolerationSeconds(), pod({ tolerations: [{ operator: 'Exists' }] }));
  assert.deepEqual(all.object!.spec.tolerations, [{ operator: 'Exists' }]);
});

test('default storage and ingress classes: the newest default wins; explicit choices are kept', async () => {
  const def = { 'storageclass.kubernetes.io/is-default-class': 'true' };
  await f.create('storage.k8s.io', 'storageclasses', { metadata: { name: 'old', annotations: def }, provisioner: 'x' });
  await new Promise((r) => setTimeout(r, 1100));
  await f.create('storage.k8s.io', 'storageclasses', { metadata: { name: 'fast', annotations: def }, provisioner: 'x' });
  const claim = (spec: object = {}) => ({ metadata: { name: 'c', namespace: 'default' }, spec: { resources: { requests: { storage: '1Gi' } }, ...spec } });
  const a = await create(defaultStorageClass(f.resources), claim(), 'persistentvolumeclaims');
  assert.equal(a.object!.spec.storageClassName, 'fast');
  const b = await create(defaultStorageClass(f.resources), claim({ storageClassName: '' }), 'persistentvolumeclaims');
  assert.equal(b.object!.spec.storageClassName, '');
  await f.create('networking.k8s.io', 'ingressclasses', { metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'k8s.io/ingress-nginx' } });
  const ing = await create(defaultIngressClass(f.resources), { metadata: { name: 'i', namespace: 'default' }, spec: {} }, 'ingresses', 'networking.k8s.io');
  assert.equal(ing.object!.spec.ingressClassName, 'nginx');
});

test('enabled plugins: kube default set plus NodeRestriction, in kube order; unknown names refused', () => {
  const on = enabledPlugins();
  assert.deepEqual(on.slice(0, 7), ['NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'NodeRestriction', 'TaintNodesByCondition', 'PodSecurity', 'Priority']);
  assert.deepEqual(on.slice(-4), ['MutatingAdmissionWebhook', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionWebhook', 'ResourceQuota']);
  const custom = enabledPlugins(['AlwaysPullImages'], ['ResourceQuota', 'ServiceAccount']);
  assert.ok(custom.indexOf('AlwaysPullImages') < custom.indexOf('PodSecurity'));
  assert.ok(!custom.includes('ResourceQuota') && !custom.includes('ServiceAccount'));
  assert.throws(() => enabledPlugins(['Bogus']), /enable-admission-plugins plugin "Bogus" is unknown/);
});
