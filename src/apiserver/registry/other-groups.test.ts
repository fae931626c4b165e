// Strategies of the groups beyond core/apps/batch: one test per kind, checking defaults,
// validation messages and table cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategy as hpa, strategyV1 as hpaV1, hpaV1ToV2, hpaV2ToV1, formatHPAMetrics } from './autoscaling/horizontalpodautoscalers/strategy.js';
import { strategy as leases } from './coordination/leases/strategy.js';
import { strategy as slices } from './discovery/endpointslices/strategy.js';
import { strategy as eventsV1, coreEventToEventsV1, eventsV1ToCoreEvent } from './events/events/strategy.js';
import { strategy as roles } from './rbac/roles/strategy.js';
import { strategy as clusterroles } from './rbac/clusterroles/strategy.js';
import { strategy as rolebindings } from './rbac/rolebindings/strategy.js';
import { strategy as clusterrolebindings } from './rbac/clusterrolebindings/strategy.js';
import { strategy as priorityclasses } from './scheduling/priorityclasses/strategy.js';
import { strategy as pdbs } from './policy/poddisruptionbudgets/strategy.js';
import { strategy as storageclasses } from './storage/storageclasses/strategy.js';
import { strategy as csidrivers } from './storage/csidrivers/strategy.js';
import { strategy as volumeattachments } from './storage/volumeattachments/strategy.js';
import { strategy as ingresses } from './networking/ingresses/strategy.js';
import { strategy as ingressclasses } from './networking/ingressclasses/strategy.js';
import { strategy as netpols } from './networking/networkpolicies/strategy.js';
import { strategy as crds } from './apiextensions/customresourcedefinitions/strategy.js';
import { strategy as csrs, approvalPrepareForUpdate } from './certificates/certificatesigningrequests/strategy.js';
import { strategy as vwcs } from './admissionregistration/validatingwebhookconfigurations/strategy.js';
import { strategy as mwcs } from './admissionregistration/mutatingwebhookconfigurations/strategy.js';
import { create, update, row, ago, ctx } from './testing/helpers.js';

test('hpa: defaults, validation, table, v1 conversion', () => {
  const h = { metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } };
  const { obj, errors } = create(hpa, h);
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.minReplicas, 1);
  assert.deepEqual(obj.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.deepEqual(obj.status, { desiredReplicas: 0 });
  assert.deepEqual(create(hpa, { ...h, spec: { ...h.spec, minReplicas: 6 } }).errors, ['spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`']);
  assert.deepEqual(create(hpa, { metadata: { name: 'x' }, spec: { maxReplicas: 0 } }).errors, ['spec.scaleTargetRef.kind: Required value', 'spec.scaleTargetRef.name: Required value', 'spec.maxReplicas: Invalid value: 0: must be greater than 0']);
  obj.metadata.creationTimestamp = ago(60);
  obj.status = { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } }] };
  assert.deepEqual(row(hpa, obj), { Name: 'web', Reference: 'Deployment/web', Targets: 'cpu: 45%/80%', MinPods: '1', MaxPods: 5, Replicas: 2, Age: '60s' });
  assert.equal(formatHPAMetrics([], []), '<none>');
  assert.equal(formatHPAMetrics([{ type: 'Pods', pods: { target: { averageValue: '1k' } } }, { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }, { type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 50 } } }], []), '<unknown>/1k, memory: <unknown>/100Mi + 1 more...');
  const v1 = hpaV2ToV1(obj);
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 80);
  assert.equal(v1.status.currentCPUUtilizationPercentage, 45);
  const back = hpaV1ToV2(v1);
  assert.deepEqual(back.spec.metrics, obj.spec.metrics);
  assert.deepEqual(back.status.currentMetrics, obj.status.currentMetrics);
  const mem = structuredClone(obj);
  mem.spec.metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } });
  assert.deepEqual(hpaV1ToV2(hpaV2ToV1(mem)).spec.metrics, mem.spec.metrics);
  assert.equal(hpaV1ToV2(hpaV2ToV1(mem)).metadata!.annotations, undefined);
  // the v1 API: v1-shaped hooks, v2 in storage
  const v1obj = create(hpaV1, { metadata: { name: 'old' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } });
  assert.deepEqual(v1obj.errors, []);
  assert.equal(v1obj.obj.spec.minReplicas, 1);
  const stored = hpaV1!.storageConversion!.toStorage(v1obj.obj);
  assert.deepEqual(stored.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.equal(hpaV1.storageConversion!.fromStorage(stored).spec.targetCPUUtilizationPercentage, 50);
  assert.deepEqual(create(hpaV1, { metadata: { name: 'old' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 0 } }).errors, ['spec.targetCPUUtilizationPercentage: Invalid value: 0: must be greater than or equal to 1']);
  assert.equal(row(hpaV1, { ...v1obj.obj, metadata: { ...v1obj.obj.metadata, creationTimestamp: ago(5) } }).Targets, 'cpu: <unknown>/50%');
});

test('leases and endpoint slices', () => {
  assert.deepEqual(create(leases, { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } }).errors, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  assert.deepEqual(row(leases, { metadata: { name: 'kube-scheduler', creationTimestamp: ago(30) }, spec: { holderIdentity: 'n1_abc' } }), { Name: 'kube-scheduler', Holder: 'n1_abc', Age: '30s' });
  const es = create(slices, { metadata: { name: 'web-abc' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }], ports: [{ port: 80 }] });
  assert.deepEqual(es.errors, []);
  assert.deepEqual(es.obj.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  assert.equal(es.obj.metadata.generation, 1);
  es.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(slices, es.obj), { Name: 'web-abc', AddressType: 'IPv4', Ports: '80', Endpoints: '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', Age: '5s' });
  assert.equal(row(slices, { metadata: { name: 'x' }, addressType: 'IPv4' }).Ports, '<unset>');
  assert.deepEqual(create(slices, { metadata: { name: 'x' }, addressType: 'IPv4', endpoints: [{ addresses: ['::1'] }] }).errors, ['endpoints[0].addresses[0]: Invalid value: "::1": must be a valid IPv4 address']);
  const moved = structuredClone(es.obj);
  moved.endpoints.pop();
  assert.equal(update(slices, moved, es.obj).obj.metadata.generation, 2);
  const relabeled = structuredClone(es.obj);
  relabeled.metadata.labels = { a: 'b' };
  assert.equal(update(slices, relabeled, es.obj).obj.metadata.generation, 1);
});

test('events.k8s.io: conversion with core events, validation, table', () => {
  const v1 = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, eventTime: ago(10), reportingController: 'example.com/ctl', reportingInstance: 'ctl-1', action: 'Sync', reason: 'Synced', regarding: { kind: 'Pod', name: 'web', namespace: 'default' }, note: 'done', type: 'Normal' };
  assert.deepEqual(create(eventsV1, v1).errors, []);
  const core = eventsV1ToCoreEvent(v1);
  assert.equal(core.apiVersion, 'v1');
  assert.deepEqual(core.involvedObject, v1.regarding);
  assert.equal(core.message, 'done');
  assert.equal(core.reportingComponent, 'example.com/ctl');
  assert.deepEqual(coreEventToEventsV1(core), v1);
  assert.deepEqual(create(eventsV1, { metadata: { name: 'e' }, reason: 'x' }).errors, ['eventTime: Required value', 'reportingController: Required value', 'reportingInstance: Required value', 'action: Required value']);
  const r = row(eventsV1, v1);
  assert.deepEqual([r['Last Seen'], r.Object, r.Message, r.Source], ['10s', 'pod/web', 'done', 'example.com/ctl, ctl-1']);
  assert.equal(eventsV1.fieldSelectors!['regarding.name'](v1), 'web');
});

test('rbac', () => {
  assert.deepEqual(create(roles, { metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }] }).errors, [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
  ]);
  assert.deepEqual(create(clusterroles, { metadata: { name: 'system:viewer' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verbs: ['get'] }] }, '').errors, [
    'rules[1].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[1].resources: Required value: resource rules must supply at least one resource',
  ]);
  const rb = create(rolebindings, { metadata: { name: 'rb' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'default', namespace: 'default' }, { kind: 'Group', name: 'devs' }] });
  assert.deepEqual(rb.errors, []);
  assert.equal(rb.obj.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.obj.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.obj.subjects[1].apiGroup, '');
  rb.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(rolebindings, rb.obj), { Name: 'rb', Role: 'Role/r', Age: '5s', Users: 'alice', Groups: 'devs', ServiceAccounts: 'default/default' });
  const changed = structuredClone(rb.obj);
  changed.roleRef.name = 'other';
  assert.match(update(rolebindings, changed, rb.obj).errors[0], /^roleRef: Invalid value: .*: cannot change roleRef$/);
  assert.deepEqual(create(clusterrolebindings, { metadata: { name: 'crb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'x' }] }, '').errors, [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    'subjects[0].namespace: Required value',
  ]);
  assert.deepEqual(row(roles, { metadata: { name: 'r', creationTimestamp: '2024-01-01T00:00:00Z' } }), { Name: 'r', 'Created At': '2024-01-01T00:00:00Z' });
  assert.deepEqual(create(clusterroles, { metadata: { name: 'system:node' } }, '').errors, []);
});

test('priority classes and disruption budgets', () => {
  const pc = create(priorityclasses, { metadata: { name: 'high' }, value: 1000, globalDefault: false }, '');
  assert.deepEqual(pc.errors, []);
  assert.equal(pc.obj.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(create(priorityclasses, { metadata: { name: 'system-mine' }, value: 2000000000 }, '').errors, ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved", 'value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  assert.deepEqual(create(priorityclasses, { metadata: { name: 'system-node-critical' }, value: 2000001000 }, '').errors, []);
  assert.deepEqual(update(priorityclasses, { ...pc.obj, value: 5 }, pc.obj).errors, ['value: Forbidden: may not be changed in an update.']);
  pc.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(priorityclasses, pc.obj), { Name: 'high', Value: 1000, 'Global-Default': false, Age: '5s', PreemptionPolicy: 'PreemptLowerPriority' });
  const pdb = create(pdbs, { metadata: { name: 'p' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } });
  assert.deepEqual(pdb.errors, []);
  assert.deepEqual(pdb.obj.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  assert.equal(pdb.obj.metadata.generation, 1);
  pdb.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(pdbs, pdb.obj), { Name: 'p', 'Min Available': '50%', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 0, Age: '5s' });
  assert.deepEqual(create(pdbs, { metadata: { name: 'p' }, spec: { minAvailable: 1, maxUnavailable: 1 } }).errors, ['spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set']);
});

test('storage classes, CSI drivers, volume attachments', () => {
  const sc = create(storageclasses, { metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path' }, '');
  assert.deepEqual(sc.errors, []);
  assert.equal(sc.obj.reclaimPolicy, 'Delete');
  assert.equal(sc.obj.volumeBindingMode, 'Immediate');
  sc.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(storageclasses, sc.obj), { Name: 'standard (default)', Provisioner: 'rancher.io/local-path', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: false, Age: '5s' });
  assert.deepEqual(update(storageclasses, { ...sc.obj, provisioner: 'other' }, sc.obj).errors, ['provisioner: Forbidden: updates to provisioner are forbidden.']);
  assert.deepEqual(create(storageclasses, { metadata: { name: 'x' } }, '').errors, ['provisioner: Required value']);
  const d = create(csidrivers, { metadata: { name: 'hostpath.csi.k8s.io' }, spec: {} }, '');
  assert.deepEqual(d.obj.spec, { attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', requiresRepublish: false, volumeLifecycleModes: ['Persistent'], seLinuxMount: false });
  const va = create(volumeattachments, { metadata: { name: 'va' }, spec: { attacher: 'csi.example.com', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } } }, '');
  assert.deepEqual(va.errors, []);
  va.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(volumeattachments, va.obj), { Name: 'va', Attacher: 'csi.example.com', PV: 'pv1', Node: 'n1', Attached: false, Age: '5s' });
});

test('ingresses, ingress classes, network policies', () => {
  const ing = create(ingresses, { metadata: { name: 'web' }, spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.example.com'] }], rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }, { host: '*.b.example.com', http: { paths: [{ path: '/x', pathType: 'Exact', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }] } });
  assert.deepEqual(ing.errors, []);
  assert.deepEqual(ing.obj.status, { loadBalancer: {} });
  ing.obj.metadata.creationTimestamp = ago(5);
  ing.obj.status.loadBalancer.ingress = [{ ip: '192.168.1.5' }];
  assert.deepEqual(row(ingresses, ing.obj), { Name: 'web', Class: 'nginx', Hosts: 'a.example.com,*.b.example.com', Address: '192.168.1.5', Ports: '80, 443', Age: '5s' });
  assert.deepEqual(create(ingresses, { metadata: { name: 'x' }, spec: { rules: [{ http: { paths: [{ path: 'x', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } }, { path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }).errors, [
    'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
    'spec.rules[0].http.paths[0].backend.service.port: Required value: port name or number is required',
    'spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified',
  ]);
  assert.deepEqual(create(ingresses, { metadata: { name: 'x' }, spec: {} }).errors, ['spec.rules: Invalid value: []: either `defaultBackend` or `rules` must be specified']);
  const ic = create(ingressclasses, { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } }, '');
  assert.deepEqual(ic.errors, []);
  assert.equal(ic.obj.spec.parameters.scope, 'Cluster');
  ic.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(ingressclasses, ic.obj), { Name: 'nginx', Controller: 'k8s.io/ingress-nginx', Parameters: 'IngressParameters.k8s.example.com/external-lb', Age: '5s' });
  const np = create(netpols, { metadata: { name: 'deny' }, spec: { podSelector: { matchLabels: { app: 'db' } }, egress: [{ ports: [{ port: 5432 }] }] } });
  assert.deepEqual(np.errors, []);
  assert.deepEqual(np.obj.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(np.obj.spec.egress[0].ports, [{ port: 5432, protocol: 'TCP' }]);
  np.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(netpols, np.obj), { Name: 'deny', 'Pod-Selector': 'app=db', Age: '5s' });
  assert.equal(row(netpols, { metadata: { name: 'all' }, spec: { podSelector: {} } })['Pod-Selector'], '<none>');
});

test('CRDs, CSRs and webhook configurations', () => {
  const crd = { metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] } };
  const c = create(crds, crd, '');
  assert.deepEqual(c.errors, []);
  assert.equal(c.obj.spec.names.listKind, 'WidgetList');
  assert.deepEqual(c.obj.status, { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
  assert.equal(c.obj.metadata.generation, 1);
  assert.deepEqual(create(crds, { ...crd, metadata: { name: 'gadgets.example.com' } }, '').errors, ['metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group']);
  const req = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n').toString('base64');
  const csr = create(csrs, { metadata: { name: 'node-csr' }, spec: { request: req, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 86400, username: 'mallory' } }, '');
  assert.deepEqual(csr.errors, []);
  assert.equal(csr.obj.spec.username, 'admin');
  assert.deepEqual(csr.obj.spec.groups, ['system:masters']);
  csr.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(csrs, csr.obj), { Name: 'node-csr', Age: '5s', SignerName: 'kubernetes.io/kube-apiserver-client', Requestor: 'admin', RequestedDuration: '24h', Condition: 'Pending' });
  const approved = structuredClone(csr.obj);
  approved.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'OK' }] };
  approved.spec.usages = ['server auth'];
  approvalPrepareForUpdate(approved, csr.obj);
  assert.deepEqual(approved.spec.usages, ['client auth']);
  assert.equal(row(csrs, approved).Condition, 'Approved');
  assert.equal(row(csrs, { ...approved, status: { ...approved.status, certificate: 'AAAA' } }).Condition, 'Approved,Issued');
  const hook = { name: 'check.example.com', clientConfig: { service: { name: 'hook', namespace: 'default' } }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], sideEffects: 'None', admissionReviewVersions: ['v1'] };
  const v = create(vwcs, { metadata: { name: 'v' }, webhooks: [hook] }, '');
  assert.deepEqual(v.errors, []);
  assert.deepEqual(v.obj.webhooks[0].clientConfig.service.port, 443);
  assert.equal(v.obj.webhooks[0].failurePolicy, 'Fail');
  assert.equal(v.obj.webhooks[0].timeoutSeconds, 10);
  assert.equal(v.obj.webhooks[0].rules[0].scope, '*');
  const m = create(mwcs, { metadata: { name: 'm' }, webhooks: [{ ...hook, name: 'bad', sideEffects: undefined }] }, '');
  assert.deepEqual(m.errors, ['webhooks[0].name: Invalid value: "bad": should be a domain with at least three segments separated by dots', 'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun']);
  assert.equal(create(mwcs, { metadata: { name: 'm' }, webhooks: [hook] }, '').obj.webhooks[0].reinvocationPolicy, 'Never');
  v.obj.metadata.creationTimestamp = ago(5);
  assert.deepEqual(row(vwcs, v.obj), { Name: 'v', Webhooks: 1, Age: '5s' });
  void ctx;
});
