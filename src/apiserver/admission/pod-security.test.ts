// PodSecurity admission: enforce/warn from namespace labels, kube's exact messages for the
// baseline and restricted checks, templates warned only, label validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { podSecurity } from './pod-security.js';
import { evaluatePod, formatViolations } from './pod-security-checks.js';
import { ApiError } from '../status.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  await f.create('', 'namespaces', { metadata: { name: 'strict', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
  await f.create('', 'namespaces', { metadata: { name: 'warned', labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'v1.30' } } });
  await f.create('', 'namespaces', { metadata: { name: 'open' } });
});
after(() => f.close());

const pod = (ns: string, containers: object[], spec: object = {}) => ({ metadata: { name: 'x', namespace: ns }, spec: { containers, ...spec } });
const c = (name: string, securityContext?: object) => ({ name, image: 'x', ...(securityContext ? { securityContext } : {}) });
const good = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

test('restricted enforce refuses a plain pod with kube message', async () => {
  await assert.rejects(admit([podSecurity(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'strict' }, pod('strict', [c('c')]))), (e: ApiError) => {
    assert.equal(e.code, 403);
    assert.equal(
      e.message,
      'pods "x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    return true;
  });
  await admit([podSecurity(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'strict' }, pod('strict', [c('c', good)])));
});

test('privileged pod: checks in kube order (by check ID), plural forms', async () => {
  const vs = evaluatePod('baseline', {}, {
    hostNetwork: true,
    containers: [c('a', { privileged: true, capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } }), { ...c('b', { privileged: true }), ports: [{ containerPort: 80, hostPort: 80 }] }],
    volumes: [{ name: 'host', hostPath: { path: '/' } }],
  });
  assert.equal(
    formatViolations(vs),
    'non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add), host namespaces (hostNetwork=true), hostPath volumes (volume "host"), hostPort (container "b" uses hostPort 80), privileged (containers "a", "b" must not set securityContext.privileged=true)',
  );
  const r = evaluatePod('restricted', {}, { securityContext: { runAsNonRoot: false }, containers: [c('a', { ...good, runAsNonRoot: undefined, runAsUser: 0 })], volumes: [{ name: 'h', hostPath: { path: '/' } }] });
  assert.equal(formatViolations(r), 'restricted volume types (volume "h" uses restricted volume type "hostPath"), runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false), runAsUser=0 (container "a" must not set runAsUser=0)');
});

test('warn level comes back as a warning; nothing checked without labels', async () => {
  const a = await admit([podSecurity(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'warned' }, pod('warned', [c('c', { ...good, allowPrivilegeEscalation: true })])));
  assert.deepEqual(a.ctx.warnings, ['would violate PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false)']);
  const b = await admit([podSecurity(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'open' }, pod('open', [c('c', { privileged: true })])));
  assert.deepEqual(b.ctx.warnings, []);
});

test('workload templates are warned, not refused', async () => {
  const dep = { metadata: { name: 'd', namespace: 'strict' }, spec: { template: { metadata: {}, spec: { containers: [c('c', { ...good, privileged: true })] } } } };
  const a = await admit([podSecurity(f.resources)], attrs('CREATE', { group: 'apps', resource: 'deployments', namespace: 'strict' }, dep));
  assert.deepEqual(a.ctx.warnings, ['would violate PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true)']);
});

test('namespace labels are validated; tightening enforce warns about existing pods', async () => {
  await assert.rejects(admit([podSecurity(f.resources)], attrs('CREATE', { resource: 'namespaces' }, { metadata: { name: 'bad', labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } })), (e: ApiError) => {
    assert.equal(e.code, 422);
    assert.equal(e.message, 'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted');
    return true;
  });
  await f.create('', 'pods', pod('open', [c('c', { privileged: true })]));
  const ns = { metadata: { name: 'open', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } };
  const a = await admit([podSecurity(f.resources)], attrs('UPDATE', { resource: 'namespaces', name: 'open' }, ns, { oldObject: { metadata: { name: 'open' } } }));
  assert.deepEqual(a.ctx.warnings, ['existing pods in namespace "open" violate the new PodSecurity enforce level "baseline:latest"', 'x: privileged']);
});

test('pod updates are evaluated only when they can change the verdict', async () => {
  const old = pod('strict', [c('c', { privileged: true })]);
  const relabel = { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } };
  await admit([podSecurity(f.resources)], attrs('UPDATE', { resource: 'pods', namespace: 'strict', name: 'x' }, relabel, { oldObject: old }));
  const newImage = pod('strict', [{ ...c('c', { privileged: true }), image: 'y' }]);
  await assert.rejects(admit([podSecurity(f.resources)], attrs('UPDATE', { resource: 'pods', namespace: 'strict', name: 'x' }, newImage, { oldObject: old })), /violates PodSecurity "restricted:latest": privileged/);
});

test('audit annotations: enforce-policy on every pod, audit-violations at the audit level, even when refused', async () => {
  await f.create('', 'namespaces', { metadata: { name: 'audited', labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/audit': 'restricted' } } });
  const ok = await admit([podSecurity(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'audited' }, pod('audited', [c('c')])));
  assert.deepEqual(ok.ctx.auditAnnotations, {
    'pod-security.kubernetes.io/enforce-policy': 'baseline:latest',
    'pod-security.kubernetes.io/audit-violations':
      'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  });
  // enforce=baseline alone: warn follows it (kube's default), audit stays privileged.
  assert.deepEqual(ok.ctx.warnings, []);
  const refused = attrs('CREATE', { resource: 'pods', namespace: 'audited' }, pod('audited', [c('c', { privileged: true })]));
  await assert.rejects(admit([podSecurity(f.resources)], refused), /violates PodSecurity "baseline:latest": privileged/);
  assert.match(refused.ctx.auditAnnotations!['pod-security.kubernetes.io/audit-violations'], /^would violate PodSecurity "restricted:latest": privileged \(container "c"/);
  assert.deepEqual(refused.ctx.warnings, [], 'no warning on a refused request');
  const open = await admit([podSecurity(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'open' }, pod('open', [c('c', { privileged: true })])));
  assert.deepEqual(open.ctx.auditAnnotations, { 'pod-security.kubernetes.io/enforce-policy': 'privileged:latest' });
});

test('workloads are checked against warn and audit only (enforce=restricted, warn=baseline warns baseline)', async () => {
  await f.create('', 'namespaces', { metadata: { name: 'mixed', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'baseline' } } });
  const job = { metadata: { name: 'j', namespace: 'mixed' }, spec: { template: { spec: { containers: [c('c')] } } } };
  const a = await admit([podSecurity(f.resources)], attrs('CREATE', { group: 'batch', resource: 'jobs', namespace: 'mixed' }, job));
  assert.deepEqual(a.ctx.warnings, [], 'a restricted violation is not warned when warn=baseline');
  assert.equal(a.ctx.auditAnnotations, undefined, 'no enforce-policy for templates');
  const cron = { metadata: { name: 'cj', namespace: 'mixed' }, spec: { jobTemplate: { spec: { template: { spec: { hostPID: true, containers: [c('c')] } } } } } };
  const b = await admit([podSecurity(f.resources)], attrs('CREATE', { group: 'batch', resource: 'cronjobs', namespace: 'mixed' }, cron));
  assert.deepEqual(b.ctx.warnings, ['would violate PodSecurity "baseline:latest": host namespaces (hostPID=true)']);
});

test('exemptions (usernames, namespaces, runtimeClasses) and configured defaults', async () => {
  const config = {
    defaults: { enforce: { level: 'baseline' as const, version: 'latest' }, audit: { level: 'privileged' as const, version: 'latest' }, warn: { level: 'restricted' as const, version: 'v1.29' } },
    exemptions: { usernames: ['ci-bot'], runtimeClasses: ['kata'], namespaces: ['legacy'] },
  };
  const ps = podSecurity(f.resources, config);
  await f.create('', 'namespaces', { metadata: { name: 'plain' } });
  const privileged = (ns: string, spec: object = {}) => pod(ns, [c('c', { privileged: true })], spec);
  await assert.rejects(admit([ps], attrs('CREATE', { resource: 'pods', namespace: 'plain' }, privileged('plain'))), /violates PodSecurity "baseline:latest": privileged/);
  const warned = await admit([ps], attrs('CREATE', { resource: 'pods', namespace: 'plain' }, pod('plain', [c('c')])));
  assert.match(warned.ctx.warnings[0], /^would violate PodSecurity "restricted:v1.29": allowPrivilegeEscalation != false/);
  const byUser = await admit([ps], attrs('CREATE', { resource: 'pods', namespace: 'plain' }, privileged('plain'), { user: { name: 'ci-bot', groups: [] } }));
  assert.deepEqual(byUser.ctx.auditAnnotations, { 'pod-security.kubernetes.io/exempt': 'user' });
  const byRuntime = await admit([ps], attrs('CREATE', { resource: 'pods', namespace: 'plain' }, privileged('plain', { runtimeClassName: 'kata' })));
  assert.deepEqual(byRuntime.ctx.auditAnnotations, { 'pod-security.kubernetes.io/exempt': 'runtimeClass' });
  const byNs = await admit([ps], attrs('CREATE', { resource: 'pods', namespace: 'legacy' }, privileged('legacy')));
  assert.deepEqual(byNs.ctx.auditAnnotations, { 'pod-security.kubernetes.io/exempt': 'namespace' });
  const nsCreate = await admit([ps], attrs('CREATE', { resource: 'namespaces' }, { metadata: { name: 'legacy', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } }));
  assert.deepEqual(nsCreate.ctx.warnings, ['namespace "legacy" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored']);
});

test('tightening enforce: pods grouped by reasons, first name, counts, sorted; loosening does not check', async () => {
  await f.create('', 'namespaces', { metadata: { name: 'busy' } });
  for (const name of ['web-b', 'web-a', 'web-c']) await f.create('', 'pods', { metadata: { name, namespace: 'busy' }, spec: { hostNetwork: true, containers: [c('c')] } });
  await f.create('', 'pods', { metadata: { name: 'db', namespace: 'busy' }, spec: { containers: [c('c', { privileged: true })] } });
  const tighten = (from: Record<string, string>, to: Record<string, string>) =>
    admit([podSecurity(f.resources)], attrs('UPDATE', { resource: 'namespaces', name: 'busy' }, { metadata: { name: 'busy', labels: to } }, { oldObject: { metadata: { name: 'busy', labels: from } } }));
  const a = await tighten({}, { 'pod-security.kubernetes.io/enforce': 'baseline' });
  assert.deepEqual(a.ctx.warnings, ['existing pods in namespace "busy" violate the new PodSecurity enforce level "baseline:latest"', 'db: privileged', 'web-a (and 2 other pods): host namespaces']);
  const b = await tighten({ 'pod-security.kubernetes.io/enforce': 'restricted' }, { 'pod-security.kubernetes.io/enforce': 'baseline' });
  assert.deepEqual(b.ctx.warnings, [], 'a looser level at the same version checks nothing');
  const v = await tighten({ 'pod-security.kubernetes.io/enforce': 'baseline' }, { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.28' });
  assert.equal(v.ctx.warnings[0], 'existing pods in namespace "busy" violate the new PodSecurity enforce level "baseline:v1.28"');
});

test('versions pick the checks of their time: v1.21 restricted has no capability drop; v1.18 no seccomp; v1.26 fewer safe sysctls', async () => {
  const plain = { containers: [c('c', { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 0 })] };
  assert.deepEqual(evaluatePod('restricted', {}, plain, 'v1.21').map((v) => v.reason), ['seccompProfile']);
  assert.deepEqual(evaluatePod('restricted', {}, plain, 'v1.22').map((v) => v.reason), ['unrestricted capabilities', 'seccompProfile']);
  assert.deepEqual(evaluatePod('restricted', {}, plain).map((v) => v.reason), ['unrestricted capabilities', 'runAsUser=0', 'seccompProfile']);
  assert.deepEqual(evaluatePod('restricted', {}, plain, 'v1.18'), []);
  assert.deepEqual(evaluatePod('restricted', {}, plain, 'v1.99').map((v) => v.reason), ['unrestricted capabilities', 'runAsUser=0', 'seccompProfile'], 'newer than known = latest');
  const netAdmin = { containers: [c('c', { capabilities: { add: ['NET_ADMIN'] } })] };
  assert.deepEqual(evaluatePod('restricted', {}, netAdmin, 'v1.21').map((v) => v.reason), ['non-default capabilities', 'allowPrivilegeEscalation != false', 'runAsNonRoot != true', 'seccompProfile']);
  const sysctl = { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] }, containers: [c('c')] };
  assert.deepEqual(evaluatePod('baseline', {}, sysctl, 'v1.28').map((v) => v.detail), ['net.ipv4.tcp_keepalive_time']);
  assert.deepEqual(evaluatePod('baseline', {}, sysctl, 'v1.29'), []);
  // Through the plugin: the namespace's version label reaches the checks.
  await f.create('', 'namespaces', { metadata: { name: 'old', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.21' } } });
  const seccompOnly = pod('old', [c('c', { allowPrivilegeEscalation: false, runAsNonRoot: true })]);
  await assert.rejects(admit([podSecurity(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'old' }, seccompOnly)), (e: ApiError) => {
    assert.equal(e.message, 'pods "x" is forbidden: violates PodSecurity "restricted:v1.21": seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
    return true;
  });
});
