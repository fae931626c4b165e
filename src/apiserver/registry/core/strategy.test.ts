// Core kinds other than pods (pods have their own test next to their strategy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategy as services } from './services/strategy.js';
import { strategy as endpoints } from './endpoints/strategy.js';
import { strategy as configmaps } from './configmaps/strategy.js';
import { strategy as secrets } from './secrets/strategy.js';
import { strategy as namespaces, finalizePrepareForUpdate } from './namespaces/strategy.js';
import { strategy as nodes } from './nodes/strategy.js';
import { strategy as serviceaccounts } from './serviceaccounts/strategy.js';
import { strategy as events } from './events/strategy.js';
import { strategy as pvs } from './persistentvolumes/strategy.js';
import { strategy as pvcs } from './persistentvolumeclaims/strategy.js';
import { strategy as quotas } from './resourcequotas/strategy.js';
import { strategy as limitranges } from './limitranges/strategy.js';
import { strategy as podtemplates } from './podtemplates/strategy.js';
import { strategy as bindings, bindPod } from './bindings/strategy.js';
import { create, update, row, ago, now } from '../testing/helpers.js';

test('service defaults', () => {
  const { obj, errors } = create(services, { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.type, 'ClusterIP');
  assert.equal(obj.spec.sessionAffinity, 'None');
  assert.deepEqual(obj.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal(obj.spec.internalTrafficPolicy, 'Cluster');
  assert.equal(obj.spec.externalTrafficPolicy, undefined);
  assert.equal(obj.spec.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(obj.status, { loadBalancer: {} });
  const np = create(services, { metadata: { name: 'np' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 'http' }], sessionAffinity: 'ClientIP' } }).obj;
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(np.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  assert.equal(np.spec.ports[0].targetPort, 'http');
});

test('service validation', () => {
  const svc = (spec: any, name = 'web') => ({ metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });
  const cases: [any, string[]][] = [
    [svc({ ports: [] }), ['spec.ports: Required value']],
    [svc({ ports: [{ port: 80 }, { port: 81 }] }), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    [svc({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }), ['spec.ports[1].name: Duplicate value: "a"']],
    [svc({ ports: [{ port: 0 }] }), ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']],
    [svc({ type: 'Magic' }), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    [svc({ ports: [{ port: 80, nodePort: 30080 }] }), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    [svc({ clusterIP: '1.2.3' }), ["spec.clusterIPs[0]: Invalid value: \"1.2.3\": must be empty, 'None', or a valid IP address"]],
    [svc({ type: 'ExternalName', ports: [] }), ['spec.externalName: Required value']],
    [
      svc({}, '1web'),
      [`metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`],
    ],
  ];
  for (const [s, want] of cases) assert.deepEqual(create(services, s).errors, want, JSON.stringify(s));
  assert.deepEqual(create(services, { metadata: { name: 'h' }, spec: { clusterIP: 'None' } }).errors, []);
  assert.deepEqual(create(services, { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } }).errors, []);
});

test('service clusterIP is immutable', () => {
  const old = create(services, { metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }], clusterIP: '10.0.0.10', clusterIPs: ['10.0.0.10'] } }).obj;
  const changed = structuredClone(old);
  changed.spec.clusterIP = '10.0.0.11';
  changed.spec.clusterIPs = ['10.0.0.11'];
  assert.deepEqual(update(services, changed, old).errors, ['spec.clusterIPs[0]: Invalid value: ["10.0.0.11"]: may not change once set']);
});

test('service type changes drop fields that no longer apply', () => {
  const old = create(services, { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }], clusterIP: '10.0.0.10', clusterIPs: ['10.0.0.10'] } }).obj;
  assert.equal(old.spec.externalTrafficPolicy, 'Cluster');
  const toClusterIP = structuredClone(old);
  toClusterIP.spec.type = 'ClusterIP';
  const r = update(services, toClusterIP, old);
  assert.deepEqual(r.errors, []);
  assert.equal(r.obj.spec.externalTrafficPolicy, undefined);
  assert.equal(r.obj.spec.ports[0].nodePort, undefined);
  assert.equal(r.obj.spec.clusterIP, '10.0.0.10');
  const toExternal = structuredClone(old);
  toExternal.spec.type = 'ExternalName';
  toExternal.spec.externalName = 'db.example.com';
  const e = update(services, toExternal, old);
  assert.deepEqual(e.errors, []);
  assert.equal(e.obj.spec.clusterIP, undefined);
  assert.equal(e.obj.spec.ipFamilyPolicy, undefined);
});

test('services table', () => {
  const base = (spec: any, status: any = {}) => ({ metadata: { name: 'web', creationTimestamp: ago(90) }, spec, status });
  assert.deepEqual(row(services, base({ type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web', tier: 'fe' } })), {
    Name: 'web', Type: 'ClusterIP', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>', 'Port(s)': '80/TCP,53/UDP', Age: '90s', Selector: 'app=web,tier=fe',
  });
  assert.equal(row(services, base({ type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }))['Port(s)'], '80:30080/TCP');
  assert.equal(row(services, base({ type: 'LoadBalancer', ports: [] }))['External-IP'], '<pending>');
  assert.equal(row(services, base({ type: 'LoadBalancer', ports: [] }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }] } }))['External-IP'], '5.6.7.8,lb.example.com');
  assert.equal(row(services, base({ type: 'ExternalName', externalName: 'db.example.com' }))['External-IP'], 'db.example.com');
  assert.equal(row(services, base({ type: 'ClusterIP', clusterIPs: ['None'] }))['Port(s)'], '<none>');
  assert.equal(row(services, base({ type: 'ClusterIP' }))['Cluster-IP'], '<none>');
});

test('endpoints table and validation', () => {
  const ep = { metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(10) }, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 8080, protocol: 'TCP' }, { name: 'b', port: 9090, protocol: 'TCP' }] }] };
  assert.equal(row(endpoints, ep).Endpoints, '10.0.0.1:8080,10.0.0.2:8080,10.0.0.1:9090 + 1 more...');
  assert.equal(row(endpoints, { metadata: { name: 'x' } }).Endpoints, '<none>');
  assert.deepEqual(create(endpoints, { metadata: { name: 'x' }, subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ port: 80 }] }] }).errors, ['subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
});

test('configmaps: keys, size, immutability, table', () => {
  assert.deepEqual(create(configmaps, { metadata: { name: 'c' }, data: { 'a.b': '1', 'bad key': '2' } }).errors, [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  assert.deepEqual(create(configmaps, { metadata: { name: 'c' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } }).errors, [': Too long: must have at most 1048576 bytes']);
  assert.deepEqual(create(configmaps, { metadata: { name: 'c' }, data: { a: '1' }, binaryData: { a: 'AA==' } }).errors, ['binaryData[a]: Invalid value: "a": duplicate of key present in data']);
  const old = { metadata: { name: 'c', namespace: 'default' }, immutable: true, data: { a: '1' } };
  assert.deepEqual(update(configmaps, { ...old, data: { a: '2' } }, old).errors, ['data: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(update(configmaps, { ...old, immutable: false }, old).errors, ['immutable: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(row(configmaps, { metadata: { name: 'c', creationTimestamp: ago(5) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), { Name: 'c', Data: 3, Age: '5s' });
});

test('secrets: Opaque default, stringData, type rules, table', () => {
  const { obj, errors } = create(secrets, { metadata: { name: 's' }, stringData: { password: 'hunter2' } });
  assert.deepEqual(errors, []);
  assert.equal(obj.type, 'Opaque');
  assert.deepEqual(obj.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal(obj.stringData, undefined);
  assert.deepEqual(create(secrets, { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: {} }).errors, ['data[tls.key]: Required value', 'data[tls.crt]: Required value']);
  assert.deepEqual(create(secrets, { metadata: { name: 's' }, type: 'kubernetes.io/service-account-token' }).errors, ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  const old = { metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: {} };
  assert.deepEqual(update(secrets, { ...old, type: 'kubernetes.io/tls', data: { 'tls.key': 'YQ==', 'tls.crt': 'YQ==' } }, old).errors, ['type: Invalid value: "kubernetes.io/tls": field is immutable']);
  assert.deepEqual(row(secrets, { metadata: { name: 's', creationTimestamp: ago(5) }, type: 'Opaque', data: { a: 'YQ==' } }), { Name: 's', Type: 'Opaque', Data: 1, Age: '5s' });
  assert.equal(secrets.fieldSelectors!.type(obj), 'Opaque');
});

test('namespaces: finalizer, phase, label, name rule, table', () => {
  const { obj, errors } = create(namespaces, { metadata: { name: 'team-a' } }, '');
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(obj.status, { phase: 'Active' });
  assert.deepEqual(obj.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.match(create(namespaces, { metadata: { name: 'a.b' } }, '').errors[0], /^metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist/);
  assert.deepEqual(create(namespaces, { metadata: { name: 'x', namespace: 'y' } }, '').errors, ['metadata.namespace: Forbidden: not allowed on this type']);
  const changed = structuredClone(obj);
  changed.spec.finalizers = [];
  changed.status = { phase: 'Terminating' };
  const r = update(namespaces, changed, obj);
  assert.deepEqual(r.obj.spec.finalizers, ['kubernetes']);
  assert.deepEqual(r.obj.status, { phase: 'Active' });
  const fin = structuredClone(changed);
  finalizePrepareForUpdate(fin, obj);
  assert.deepEqual(fin.spec.finalizers, []);
  assert.deepEqual(fin.status, { phase: 'Active' });
  obj.metadata.creationTimestamp = ago(3600 * 30);
  assert.deepEqual(row(namespaces, obj), { Name: 'team-a', Status: 'Active', Age: '30h' });
  assert.equal(namespaces.info.verbs!.includes('deletecollection'), false);
});

test('nodes: table and validation', () => {
  const node = {
    metadata: { name: 'n1', creationTimestamp: ago(86400 * 3), labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '' } },
    spec: { unschedulable: true, podCIDR: '10.244.0.0/24' },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'n1' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    },
  };
  const { obj, errors } = create(nodes, node, '');
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec.podCIDRs, ['10.244.0.0/24']);
  assert.deepEqual(obj.status.allocatable, { cpu: '4', memory: '8Gi', pods: '110' });
  assert.deepEqual(row(nodes, obj), {
    Name: 'n1', Status: 'Ready,SchedulingDisabled', Roles: 'control-plane,worker', Age: '3d', Version: 'v1.32.0', 'Internal-IP': '192.168.1.10', 'External-IP': '<none>', 'OS-Image': 'Debian GNU/Linux 12 (bookworm)', 'Kernel-Version': '6.1.0', 'Container-Runtime': 'containerd://1.7.0',
  });
  assert.equal(row(nodes, { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }).Status, 'NotReady');
  assert.equal(row(nodes, { metadata: { name: 'n2' } }).Status, 'Unknown');
  assert.equal(nodes.fieldSelectors!['spec.unschedulable'](obj), 'true');
  assert.deepEqual(create(nodes, { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }, '').errors, ['spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
});

test('events: table, selectors, validation', () => {
  const ev = {
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled', message: 'Successfully pulled image "nginx"\n', type: 'Normal', source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: ago(600), lastTimestamp: ago(30), count: 4,
  };
  assert.deepEqual(create(events, ev).errors, []);
  assert.deepEqual(row(events, ev), {
    'Last Seen': '30s', Type: 'Normal', Reason: 'Pulled', Object: 'pod/web', Subobject: 'spec.containers{web}', Source: 'kubelet, n1', Message: 'Successfully pulled image "nginx"', 'First Seen': '10m', Count: 4, Name: 'web.17a',
  });
  const micro = { metadata: { name: 'e2', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'n1' }, eventTime: new Date(now.getTime() - 5000).toISOString(), reportingComponent: 'kubelet', reportingInstance: 'n1', action: 'Start', reason: 'Starting', type: 'Normal' };
  assert.deepEqual(create(events, micro).errors, []);
  assert.deepEqual([row(events, micro)['Last Seen'], row(events, micro).Count, row(events, micro).Source], ['5s', 1, 'kubelet, n1']);
  assert.deepEqual(create(events, { ...ev, involvedObject: { ...ev.involvedObject, namespace: 'other' } }).errors, ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  assert.deepEqual(create(events, { metadata: { name: 'n1.1', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'n1' }, reason: 'NodeReady' }).errors, []);
  assert.deepEqual(create(events, { metadata: { name: 'n1.1', namespace: 'kube-system' }, involvedObject: { kind: 'Node', name: 'n1' }, reason: 'NodeReady' }, 'kube-system').errors, ['involvedObject.namespace: Invalid value: "": does not match event.namespace']);
  const f = events.fieldSelectors!;
  assert.equal(f['involvedObject.uid'](ev), 'u1');
  assert.equal(f.source(ev), 'kubelet');
  assert.equal(f.source(micro), 'kubelet');
  assert.equal(f.reportingComponent(micro), 'kubelet');
});

test('persistent volumes and claims', () => {
  const pv = create(pvs, { metadata: { name: 'pv1' }, spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], hostPath: { path: '/data' } } }, '');
  assert.deepEqual(pv.errors, []);
  assert.equal(pv.obj.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.obj.spec.volumeMode, 'Filesystem');
  assert.equal(pv.obj.status.phase, 'Pending');
  pv.obj.metadata.creationTimestamp = ago(60);
  pv.obj.spec.claimRef = { namespace: 'default', name: 'data' };
  pv.obj.status.phase = 'Bound';
  assert.deepEqual(row(pvs, pv.obj), { Name: 'pv1', Capacity: '10Gi', 'Access Modes': 'RWO,ROX', 'Reclaim Policy': 'Retain', Status: 'Bound', Claim: 'default/data', StorageClass: '', VolumeAttributesClass: '<unset>', Reason: '', Age: '60s', VolumeMode: 'Filesystem' });
  assert.deepEqual(create(pvs, { metadata: { name: 'pv2' }, spec: { accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } } }, '').errors, ['spec.capacity: Required value']);
  const pvc = create(pvcs, { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' } });
  assert.deepEqual(pvc.errors, []);
  assert.equal(pvc.obj.spec.volumeMode, 'Filesystem');
  assert.deepEqual(pvc.obj.status, { phase: 'Pending' });
  pvc.obj.metadata.creationTimestamp = ago(60);
  assert.deepEqual(row(pvcs, pvc.obj), { Name: 'data', Status: 'Pending', Volume: '', Capacity: '', 'Access Modes': '', StorageClass: 'standard', VolumeAttributesClass: '<unset>', Age: '60s', VolumeMode: 'Filesystem' });
  assert.deepEqual(create(pvcs, { metadata: { name: 'd' }, spec: { resources: { requests: {} } } }).errors, ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
  const changed = structuredClone(pvc.obj);
  changed.spec.storageClassName = 'fast';
  assert.deepEqual(update(pvcs, changed, pvc.obj).errors, ['spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
});

test('quotas, limit ranges, pod templates, service accounts', () => {
  const rq = { metadata: { name: 'q', creationTimestamp: ago(5) }, spec: { hard: { pods: '10', 'requests.cpu': '1', 'limits.memory': '2Gi' } }, status: { hard: { pods: '10', 'requests.cpu': '1', 'limits.memory': '2Gi' }, used: { pods: '3', 'requests.cpu': '500m' } } };
  assert.deepEqual(create(quotas, rq).errors, []);
  assert.deepEqual(create(quotas, rq).obj.status, {});
  assert.deepEqual(row(quotas, rq), { Name: 'q', Age: '5s', Request: 'pods: 3/10, requests.cpu: 500m/1', Limit: 'limits.memory: 0/2Gi' });
  const lr = create(limitranges, { metadata: { name: 'l', creationTimestamp: '2024-01-02T03:04:05Z' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } });
  assert.deepEqual(lr.errors, []);
  assert.deepEqual(lr.obj.spec.limits[0].default, { cpu: '2' });
  assert.deepEqual(lr.obj.spec.limits[0].defaultRequest, { cpu: '2', memory: '64Mi' });
  assert.deepEqual(row(limitranges, lr.obj), { Name: 'l', 'Created At': '2024-01-02T03:04:05Z' });
  assert.deepEqual(create(limitranges, { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } }).errors[0], 'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1');
  const pt = create(podtemplates, { metadata: { name: 'pt' }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } });
  assert.deepEqual(pt.errors, []);
  assert.equal(pt.obj.template.spec.restartPolicy, 'Always');
  assert.deepEqual(row(podtemplates, pt.obj), { Name: 'pt', Containers: 'a', Images: 'nginx', 'Pod Labels': 'app=x' });
  assert.deepEqual(row(serviceaccounts, { metadata: { name: 'default', creationTimestamp: ago(5) } }), { Name: 'default', Secrets: 0, Age: '5s' });
});

test('bindings', () => {
  assert.deepEqual(create(bindings, { metadata: { name: 'p' }, target: { kind: 'Pod', name: '' } }).errors, ['target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"', 'target.name: Required value']);
  const r = bindPod({ metadata: { name: 'p' }, spec: { containers: [] }, status: { phase: 'Pending' } }, { target: { kind: 'Node', name: 'n1' } }, now);
  assert.equal(r.ok, true);
  if (r.ok) {
    assert.equal(r.pod.spec!.nodeName, 'n1');
    assert.deepEqual(r.pod.status.conditions, [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T12:00:00Z' }]);
    const again = bindPod(r.pod, { target: { name: 'n2' } }, now);
    assert.deepEqual(again, { ok: false, conflict: 'pod p is already assigned to node "n1"' });
  }
});
