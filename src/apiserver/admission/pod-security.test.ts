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

test('privileged pod: baseline checks first, plural forms', async () => {
  const vs = evaluatePod('baseline', {}, {
    hostNetwork: true,
    containers: [c('a', { privileged: true, capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } }), { ...c('b', { privileged: true }), ports: [{ containerPort: 80, hostPort: 80 }] }],
    volumes: [{ name: 'host', hostPath: { path: '/' } }],
  });
  assert.equal(
    formatViolations(vs),
    'host namespaces (hostNetwork=true), hostPort (container "b" uses hostPort 80), privileged (containers "a", "b" must not set securityContext.privileged=true), non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add), hostPath volumes (volume "host")',
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
