import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategy } from './strategy.js';
import { create, update, row, ago } from '../../testing/helpers.js';

const pod = (spec: any = {}, meta: any = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', ...meta }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec } });

test('pod defaults as SetDefaults_Pod', () => {
  const { obj, errors } = create(strategy, pod({ containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } }, livenessProbe: { httpGet: { port: 80 } } }, { name: 'side', image: 'busybox' }], volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }] }));
  assert.deepEqual(errors, []);
  const s = obj.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.enableServiceLinks, true);
  assert.equal(s.priority, 0);
  assert.equal(s.preemptionPolicy, 'PreemptLowerPriority');
  const c = s.containers[0];
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(s.containers[1].imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(c.resources.requests, { cpu: '1', memory: '1Gi' });
  assert.deepEqual(s.containers[1].resources, {});
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(s.volumes, [{ name: 'a', emptyDir: {} }, { name: 'b', configMap: { name: 'cm', defaultMode: 420 } }]);
  assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'Burstable' });
});

test('image pull policy follows the tag', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['nginx@sha256:abcd', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) assert.equal(create(strategy, pod({ containers: [{ name: 'a', image }] })).obj.spec.containers[0].imagePullPolicy, want, image);
});

test('QoS class', () => {
  const qos = (resources: any[]) => create(strategy, pod({ containers: resources.map((r, i) => ({ name: 'c' + i, image: 'x', resources: r })) })).obj.status.qosClass;
  assert.equal(qos([{}]), 'BestEffort');
  assert.equal(qos([{ requests: { cpu: '100m' } }]), 'Burstable');
  assert.equal(qos([{ limits: { cpu: '1', memory: '1Gi' } }]), 'Guaranteed');
  assert.equal(qos([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }]), 'Burstable');
  assert.equal(qos([{ limits: { cpu: '1', memory: '1Gi' } }, {}]), 'Burstable');
});

test('pod validation errors carry Kubernetes paths and messages', () => {
  const cases: [any, string[]][] = [
    [{ containers: [] }, ['spec.containers: Required value']],
    [{ containers: [{ name: 'app' }] }, ['spec.containers[0].image: Required value']],
    [{ containers: [{ image: 'x' }] }, ['spec.containers[0].name: Required value']],
    [
      { containers: [{ name: 'App_1', image: 'x' }] },
      [`spec.containers[0].name: Invalid value: "App_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`],
    ],
    [{ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }, ['spec.containers[1].name: Duplicate value: "a"']],
    [{ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] }, ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    [{ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, protocol: 'HTTP' }] }] }, ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
    [{ restartPolicy: 'Sometimes' }, ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    [{ containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }, ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    [{ volumes: [{ name: 'v' }, { name: 'v' }] }, ['spec.volumes[1].name: Duplicate value: "v"']],
    [{ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }, ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']],
    [{ containers: [{ name: 'a', image: 'x', resources: { requests: { memory: '-1Gi' } } }] }, ['spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0']],
    [{ containers: [{ name: 'a', image: 'x', env: [{ name: 'A=B', value: '1' }] }] }, [`spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`]],
    [{ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] }] }, ['spec.containers[1].ports[0].hostPort: Duplicate value: "8080/TCP"']],
    [{ topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' }] }, ['spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero', 'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"']],
  ];
  for (const [spec, want] of cases) assert.deepEqual(create(strategy, pod(spec)).errors, want, JSON.stringify(spec));
  assert.deepEqual(create(strategy, { metadata: {}, spec: pod().spec }).errors, ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(create(strategy, { metadata: { generateName: 'web-' }, spec: pod().spec }).errors, []);
  assert.deepEqual(create(strategy, pod({}, { name: 'Web' })).errors, [
    `metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.deepEqual(create(strategy, pod({}, { labels: { 'a/b/c': 'x', ok: 'not valid!' } })).errors, [
    `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    `metadata.labels: Invalid value: "not valid!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
  ]);
});

test('pod updates may only change images, deadlines and tolerations; status is kept', () => {
  const old = create(strategy, pod()).obj;
  old.metadata.uid = 'u1';
  old.status = { phase: 'Running' };
  const img = structuredClone(old);
  img.spec.containers[0].image = 'nginx:2';
  img.status = { phase: 'Failed' };
  const r = update(strategy, img, old);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.obj.status, { phase: 'Running' });
  const bad = structuredClone(old);
  bad.spec.restartPolicy = 'Never';
  const errs = update(strategy, bad, old).errors;
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
  assert.match(errs[0], /spec.restartPolicy/);
  const renamed = structuredClone(old);
  renamed.metadata.name = 'other';
  assert.deepEqual(update(strategy, renamed, old).errors, ['metadata.name: Invalid value: "other": field is immutable']);
});

test('pods table cells as kubectl prints them', () => {
  const base = (status: any, spec: any = {}, meta: any = {}) => ({ metadata: { name: 'p', creationTimestamp: ago(300), ...meta }, spec: { containers: [{ name: 'a' }, { name: 'b' }], ...spec }, status });
  const cases: [any, Record<string, unknown>][] = [
    [base({ phase: 'Pending' }), { Name: 'p', Ready: '0/2', Status: 'Pending', Restarts: '0', Age: '5m', IP: '<none>', Node: '<none>', 'Nominated Node': '<none>', 'Readiness Gates': '<none>' }],
    [
      base({ phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], containerStatuses: [{ name: 'a', ready: true, state: { running: {} }, restartCount: 0 }, { name: 'b', ready: true, state: { running: {} }, restartCount: 3, lastState: { terminated: { finishedAt: ago(120) } } }] }, { nodeName: 'n1' }),
      { Ready: '2/2', Status: 'Running', Restarts: '3 (2m ago)', IP: '10.0.0.5', Node: 'n1' },
    ],
    [base({ phase: 'Running', containerStatuses: [{ name: 'a', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 5 }, { name: 'b', ready: true, state: { running: {} } }] }), { Ready: '1/2', Status: 'CrashLoopBackOff', Restarts: '5' }],
    [base({ phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { name: 'b', state: { terminated: { reason: 'Completed', exitCode: 0 } } }] }), { Ready: '0/2', Status: 'Completed' }],
    [base({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 2 } } }] }), { Status: 'ExitCode:2' }],
    [base({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] }, { initContainers: [{ name: 'i1' }, { name: 'i2' }] }), { Status: 'Init:1/2' }],
    [base({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'ImagePullBackOff' } } }] }, { initContainers: [{ name: 'i1' }] }), { Status: 'Init:ImagePullBackOff' }],
    [base({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, { initContainers: [{ name: 'i1' }] }), { Status: 'Init:Error' }],
    [base({ phase: 'Running' }, {}, { deletionTimestamp: ago(1) }), { Status: 'Terminating' }],
    [base({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), { Status: 'SchedulingGated' }],
    [base({ phase: 'Failed', reason: 'Evicted' }), { Status: 'Evicted' }],
    [base({ phase: 'Running', conditions: [{ type: 'gate', status: 'True' }] }, { readinessGates: [{ conditionType: 'gate' }, { conditionType: 'other' }] }), { 'Readiness Gates': '1/2' }],
    [base({ phase: 'Running', initContainerStatuses: [{ name: 'side', started: true, ready: true, state: { running: {} } }], containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }, { name: 'b', ready: true, state: { running: {} } }] }, { initContainers: [{ name: 'side', restartPolicy: 'Always' }] }), { Ready: '3/3', Status: 'Running' }],
  ];
  for (const [p, want] of cases) {
    const r = row(strategy, p);
    for (const [k, v] of Object.entries(want)) assert.equal(r[k], v, `${k} of ${JSON.stringify(p.status)}`);
  }
  assert.deepEqual(strategy.table!.columns.map((c) => c.name + (c.priority ? '*' : '')), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']);
});

test('grace period and field selectors', () => {
  const p = create(strategy, pod({ nodeName: 'n1' })).obj;
  assert.equal(strategy.gracePeriod!(p, undefined), 30);
  assert.equal(strategy.gracePeriod!(p, 5), 5);
  assert.equal(strategy.gracePeriod!(p, 0), undefined);
  assert.equal(strategy.gracePeriod!(create(strategy, pod()).obj, undefined), undefined);
  assert.equal(strategy.gracePeriod!({ ...p, status: { phase: 'Succeeded' } }, undefined), undefined);
  const f = strategy.fieldSelectors!;
  assert.equal(f['spec.nodeName'](p), 'n1');
  assert.equal(f['status.phase'](p), 'Pending');
  assert.equal(f['spec.restartPolicy'](p), 'Always');
  assert.equal(f['spec.schedulerName'](p), 'default-scheduler');
});

test('pod affinity matchLabelKeys / mismatchLabelKeys become selector requirements on create, and are validated', () => {
  const term = (extra: any) => ({ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname', ...extra });
  const affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabelKeys: ['pod-template-hash', 'absent'] })] }, podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ mismatchLabelKeys: ['tenant'] }) }] } };
  const { obj, errors } = create(strategy, pod({ affinity }, { labels: { app: 'web', 'pod-template-hash': 'abc', tenant: 't1' } }));
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector, { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'pod-template-hash', operator: 'In', values: ['abc'] }] });
  assert.deepEqual(obj.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchExpressions, [{ key: 'tenant', operator: 'NotIn', values: ['t1'] }]);
  const bad = create(strategy, pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: '', matchLabelKeys: ['a'] }, term({ matchLabelKeys: ['x', 'bad key'], mismatchLabelKeys: ['x'] })], preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: term({}) }] } } }));
  const p = 'spec.affinity.podAntiAffinity';
  assert.deepEqual(bad.errors.sort(), [
    `${p}.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100`,
    `${p}.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
    `${p}.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty`,
    `${p}.requiredDuringSchedulingIgnoredDuringExecution[1].matchLabelKeys[0]: Invalid value: "x": exists in both matchLabelKeys and mismatchLabelKeys`,
    `${p}.requiredDuringSchedulingIgnoredDuringExecution[1].matchLabelKeys[1]: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
  ]);
});
