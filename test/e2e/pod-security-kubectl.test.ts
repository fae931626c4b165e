// PodSecurity end to end with the real kubectl: keelson apiserver (the real CLI) with an
// AdmissionConfiguration (--admission-control-config-file) giving PodSecurity exemptions, and an
// audit log. Checks what a user sees: the `Warning: would violate PodSecurity ...` lines kubectl
// prints on stderr (pods and workloads), the Forbidden message of the enforce level, the warnings
// when a namespace's enforce label is tightened over running pods, the exemptions, and the
// pod-security.kubernetes.io/* annotations on the audit events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';

const admissionConfig = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  path: pod-security.yaml
`;
const podSecurityConfig = `apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: privileged
  audit: baseline
exemptions:
  usernames: [keelson-ci]
  namespaces: [keelson-psa-exempt]
`;
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  resources: [{group: "", resources: [pods]}, {group: apps, resources: [deployments]}]
`;

let dir: string;
let api: TestApiServer;
let logPath: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keelson-psa-e2e-'));
  logPath = join(dir, 'audit.log');
  await writeFile(join(dir, 'admission.yaml'), admissionConfig);
  await writeFile(join(dir, 'pod-security.yaml'), podSecurityConfig);
  await writeFile(join(dir, 'policy.yaml'), auditPolicy);
  api = await startTestApiServer({
    args: ['--admission-control-config-file', join(dir, 'admission.yaml'), '--audit-policy-file', join(dir, 'policy.yaml'), '--audit-log-path', logPath],
    inProcess: false,
  });
});
after(async () => {
  await api?.stop();
  await rm(dir, { recursive: true, force: true });
});

const ok = async (args: string[], input?: string) => {
  const r = await api.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.out}`);
  return r;
};
const podYaml = (ns: string, name: string, securityContext = '{}') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    securityContext: ${securityContext}\n`;
const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('Warning: '));

type Event = Record<string, any>;
const auditEvents = async (): Promise<Event[]> => (await readFile(logPath, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
const auditOf = (verb: string, resource: string, ns: string, name: string) =>
  until(`the audit event of ${verb} ${resource} ${ns}/${name}`, async () =>
    (await auditEvents()).find((e) => e.stage === 'ResponseComplete' && e.verb === verb && e.objectRef?.resource === resource && e.objectRef?.namespace === ns && e.objectRef?.name === name),
  );

const restrictedDetail =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

test('warn, enforce and audit levels as kubectl and the audit log show them', async () => {
  await ok(['create', 'namespace', 'keelson-psa']);
  await ok(['label', 'namespace', 'keelson-psa', 'pod-security.kubernetes.io/enforce=baseline', 'pod-security.kubernetes.io/warn=restricted', 'pod-security.kubernetes.io/audit=restricted']);
  const made = await ok(['apply', '-f', '-'], podYaml('keelson-psa', 'web'));
  assert.deepEqual(warnings(made.stderr), [`Warning: would violate PodSecurity "restricted:latest": ${restrictedDetail}`]);
  assert.match(made.stdout, /^pod\/web created/);
  const refused = await api.kubectl(['apply', '-f', '-'], { input: podYaml('keelson-psa', 'root', '{privileged: true}') });
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr.trim(),
    'Error from server (Forbidden): error when creating "STDIN": pods "root" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    'no warning on a refused request',
  );
  // Workloads: warned by their pod template, never refused.
  const dep = await ok(['create', 'deployment', 'keelson-app', '-n', 'keelson-psa', '--image=busybox']);
  assert.deepEqual(warnings(dep.stderr), [`Warning: would violate PodSecurity "restricted:latest": ${restrictedDetail.replaceAll('"c"', '"busybox"')}`]);

  const webEvent = await auditOf('create', 'pods', 'keelson-psa', 'web');
  assert.equal(webEvent.annotations['pod-security.kubernetes.io/enforce-policy'], 'baseline:latest');
  assert.equal(webEvent.annotations['pod-security.kubernetes.io/audit-violations'], `would violate PodSecurity "restricted:latest": ${restrictedDetail}`);
  const rootEvent = await auditOf('create', 'pods', 'keelson-psa', 'root');
  assert.equal(rootEvent.responseStatus.code, 403);
  assert.match(rootEvent.annotations['pod-security.kubernetes.io/audit-violations'], /^would violate PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\), allowPrivilegeEscalation/);
  const depEvent = await auditOf('create', 'deployments', 'keelson-psa', 'keelson-app');
  assert.equal(depEvent.annotations['pod-security.kubernetes.io/enforce-policy'], undefined, 'workloads are not enforced');
  assert.match(depEvent.annotations['pod-security.kubernetes.io/audit-violations'], /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
});

test('tightening enforce warns about the pods already there', async () => {
  await ok(['create', 'namespace', 'keelson-psa-tight']);
  for (const name of ['b', 'a']) await ok(['apply', '-f', '-'], podYaml('keelson-psa-tight', name));
  await ok(['apply', '-f', '-'], podYaml('keelson-psa-tight', 'c', '{privileged: true}'));
  const r = await ok(['label', 'namespace', 'keelson-psa-tight', 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/enforce-version=v1.32']);
  assert.deepEqual(warnings(r.stderr), [
    'Warning: existing pods in namespace "keelson-psa-tight" violate the new PodSecurity enforce level "restricted:v1.32"',
    'Warning: a (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
    'Warning: c: privileged, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
  ]);
  assert.match(r.stdout, /namespace\/keelson-psa-tight labeled/);
  const bad = await api.kubectl(['label', 'namespace', 'keelson-psa-tight', '--overwrite', 'pod-security.kubernetes.io/warn=strict']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim(), 'The Namespace "keelson-psa-tight" is invalid: metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "strict": must be one of privileged, baseline, restricted');
});

test('exemptions from the AdmissionConfiguration: namespaces and usernames; configured audit default', async () => {
  const ns = await ok(['create', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: keelson-psa-exempt\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n');
  assert.deepEqual(warnings(ns.stderr), ['Warning: namespace "keelson-psa-exempt" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored']);
  const exemptPod = await ok(['apply', '-f', '-'], podYaml('keelson-psa-exempt', 'root', '{privileged: true}'));
  assert.deepEqual(warnings(exemptPod.stderr), []);
  assert.equal((await auditOf('create', 'pods', 'keelson-psa-exempt', 'root')).annotations['pod-security.kubernetes.io/exempt'], 'namespace');

  await ok(['create', 'namespace', 'keelson-psa-user']);
  await ok(['label', 'namespace', 'keelson-psa-user', 'pod-security.kubernetes.io/enforce=restricted']);
  const denied = await api.kubectl(['apply', '-f', '-'], { input: podYaml('keelson-psa-user', 'root', '{privileged: true}') });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /pods "root" is forbidden: violates PodSecurity "restricted:latest": privileged/);
  const asCi = await ok(['apply', '-f', '-', '--as=keelson-ci', '--as-group=system:masters'], podYaml('keelson-psa-user', 'root-ci', '{privileged: true}'));
  assert.deepEqual(warnings(asCi.stderr), []);
  const ciEvent = await auditOf('create', 'pods', 'keelson-psa-user', 'root-ci');
  assert.equal(ciEvent.impersonatedUser.username, 'keelson-ci');
  assert.equal(ciEvent.annotations['pod-security.kubernetes.io/exempt'], 'user');

  // No labels: the configured defaults (enforce privileged, audit baseline) apply.
  await ok(['create', 'namespace', 'keelson-psa-default']);
  await ok(['apply', '-f', '-'], podYaml('keelson-psa-default', 'root', '{privileged: true}'));
  const ev = await auditOf('create', 'pods', 'keelson-psa-default', 'root');
  assert.equal(ev.annotations['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');
  assert.equal(ev.annotations['pod-security.kubernetes.io/audit-violations'], 'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
});
