import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategy as deployments } from './deployments/strategy.js';
import { strategy as replicasets } from './replicasets/strategy.js';
import { strategy as statefulsets } from './statefulsets/strategy.js';
import { strategy as daemonsets } from './daemonsets/strategy.js';
import { strategy as controllerrevisions } from './controllerrevisions/strategy.js';
import { strategy as rcs } from '../core/replicationcontrollers/strategy.js';
import { create, update, row, ago } from '../testing/helpers.js';

const template = (labels: any = { app: 'web' }) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } });
const deploy = (spec: any = {}) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec } });

test('deployment defaults', () => {
  const { obj, errors } = create(deployments, deploy());
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.replicas, 1);
  assert.deepEqual(obj.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(obj.spec.revisionHistoryLimit, 10);
  assert.equal(obj.spec.progressDeadlineSeconds, 600);
  assert.equal(obj.metadata.generation, 1);
  assert.equal(obj.spec.template.spec.restartPolicy, 'Always');
  assert.equal(obj.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(obj.spec.template.spec.enableServiceLinks, undefined, 'enableServiceLinks is a pod-only default');
  assert.deepEqual(obj.status, {});
  assert.deepEqual(create(deployments, deploy({ strategy: { type: 'Recreate' } })).obj.spec.strategy, { type: 'Recreate' });
});

test('deployment validation', () => {
  const cases: [any, string[]][] = [
    [{ selector: { matchLabels: { app: 'other' } } }, ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']],
    [{ selector: {} }, ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']],
    [{ selector: undefined }, ['spec.selector: Required value']],
    [{ replicas: -1 }, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    [{ template: { ...template(), spec: { ...template().spec, restartPolicy: 'Never' } } }, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
    [{ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }, ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']],
    [{ strategy: { type: 'Recreate', rollingUpdate: {} } }, ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]],
    [{ strategy: { type: 'Blue' } }, ['spec.strategy: Unsupported value: {"type":"Blue"}: supported values: "Recreate", "RollingUpdate"']],
    [{ progressDeadlineSeconds: 5, minReadySeconds: 10 }, ['spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds']],
    [{ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web' }] } } }, ['spec.template.spec.containers[0].image: Required value']],
  ];
  for (const [spec, want] of cases) assert.deepEqual(create(deployments, deploy(spec)).errors, want, JSON.stringify(spec));
});

test('deployment updates: immutable selector, generation on annotations, status kept', () => {
  const old = create(deployments, deploy()).obj;
  old.status = { replicas: 1 };
  const changed = structuredClone(old);
  changed.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
  changed.spec.template.metadata.labels.tier = 'x';
  assert.deepEqual(update(deployments, changed, old).errors, ['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable']);
  const annotated = structuredClone(old);
  annotated.metadata.annotations = { a: 'b' };
  annotated.status = {};
  const r = update(deployments, annotated, old);
  assert.equal(r.obj.metadata.generation, 2);
  assert.deepEqual(r.obj.status, { replicas: 1 });
  const statusOnly = structuredClone(old);
  statusOnly.spec.replicas = 5;
  statusOnly.status = { replicas: 3 };
  deployments.status!.prepareForUpdate!(statusOnly, old, { namespace: 'default', user: { name: 'x', groups: [] }, dryRun: false, now: () => new Date() });
  assert.equal(statusOnly.spec.replicas, 1);
  assert.deepEqual(statusOnly.status, { replicas: 3 });
});

test('deployments table', () => {
  const d = create(deployments, deploy({ replicas: 3 })).obj;
  d.metadata.creationTimestamp = ago(3 * 86400 + 4 * 3600);
  d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  assert.deepEqual(row(deployments, d), { Name: 'web', Ready: '2/3', 'Up-to-date': 3, Available: 2, Age: '3d4h', Containers: 'web', Images: 'nginx:1.25', Selector: 'app=web' });
  assert.deepEqual(deployments.scale, { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' });
});

test('replicasets and replication controllers', () => {
  const rs = create(replicasets, { metadata: { name: 'web-abc' }, spec: { selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, template: template({ app: 'web', tier: 'a' }) } });
  assert.deepEqual(rs.errors, []);
  assert.equal(rs.obj.spec.replicas, 1);
  rs.obj.status = { replicas: 1, readyReplicas: 1 };
  rs.obj.metadata.creationTimestamp = ago(45);
  assert.deepEqual(row(replicasets, rs.obj), { Name: 'web-abc', Desired: 1, Current: 1, Ready: 1, Age: '45s', Containers: 'web', Images: 'nginx:1.25', Selector: 'app=web,tier in (a,b)' });
  const rc = create(rcs, { metadata: { name: 'old' }, spec: { template: template({ app: 'old' }) } });
  assert.deepEqual(rc.errors, []);
  assert.deepEqual(rc.obj.spec.selector, { app: 'old' });
  assert.deepEqual(rc.obj.metadata.labels, { app: 'old' });
  assert.equal(row(rcs, rc.obj).Selector, 'app=old');
  assert.deepEqual(create(rcs, { metadata: { name: 'x' }, spec: { selector: { app: 'a' }, template: template({ app: 'b' }) } }).errors, ['spec.template.metadata.labels: Invalid value: {"app":"b"}: `selector` does not match template `labels`']);
});

test('statefulset defaults, validation and update rules', () => {
  const s = { metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'web' } }, template: template(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } };
  const { obj, errors } = create(statefulsets, s);
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(obj.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(obj.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(obj.spec.replicas, 1);
  assert.equal(obj.spec.revisionHistoryLimit, 10);
  assert.equal(obj.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  const changed = structuredClone(obj);
  changed.spec.serviceName = 'other';
  assert.deepEqual(update(statefulsets, changed, obj).errors, [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  assert.match(create(statefulsets, { ...s, metadata: { name: 'db.v1' } }).errors[0], /^metadata.name: Invalid value: "db.v1": a lowercase RFC 1123 label/);
  const withDeadline = structuredClone(s);
  (withDeadline.spec.template.spec as any).activeDeadlineSeconds = 5;
  assert.deepEqual(create(statefulsets, withDeadline).errors, ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported']);
  const scaled = structuredClone(obj);
  scaled.spec.replicas = 3;
  assert.deepEqual(update(statefulsets, scaled, obj).errors, []);
  obj.status = { readyReplicas: 1 };
  obj.metadata.creationTimestamp = ago(600);
  assert.deepEqual(row(statefulsets, obj), { Name: 'db', Ready: '1/1', Age: '10m', Containers: 'web', Images: 'nginx:1.25' });
});

test('daemonset defaults and table', () => {
  const { obj, errors } = create(daemonsets, { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { ...template(), spec: { ...template().spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } } });
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  obj.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 };
  obj.metadata.creationTimestamp = ago(7200);
  assert.deepEqual(row(daemonsets, obj), { Name: 'agent', Desired: 3, Current: 3, Ready: 2, 'Up-to-date': 3, Available: 2, 'Node Selector': 'kubernetes.io/os=linux', Age: '120m', Containers: 'web', Images: 'nginx:1.25', Selector: 'app=web' });
  assert.deepEqual(create(daemonsets, { metadata: { name: 'x' }, spec: { selector: {}, template: template() } }).errors, ['spec.selector: Invalid value: {}: empty selector is invalid for daemonset']);
});

test('controllerrevisions', () => {
  const cr = { metadata: { name: 'web-1', namespace: 'default', creationTimestamp: ago(5), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] }, revision: 1, data: { a: 1 } };
  assert.deepEqual(create(controllerrevisions, cr).errors, []);
  assert.deepEqual(row(controllerrevisions, cr), { Name: 'web-1', Controller: 'statefulset.apps/web', Revision: 1, Age: '5s' });
  assert.deepEqual(update(controllerrevisions, { ...cr, data: { a: 2 } }, cr).errors, ['data: Invalid value: {"a":2}: field is immutable']);
});
