// Admission control end to end with the real kubectl against `bin/keelson apiserver`: quota
// refuses the pod over the limit with kube's message, LimitRange defaults show in
// `kubectl get pod -o yaml`, HTTPS webhooks deny and mutate, PodSecurity enforce=restricted
// refuses a privileged pod, priority classes resolve, the default service account's token
// volume and the default tolerations appear in the pod.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { startTestWebhook, type TestWebhook } from '../helpers/admission-webhook.js';

let api: TestApiServer;
let hook: TestWebhook;

const ok = async (args: string[], input?: string) => {
  const r = await api.kubectl(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, r.out);
  return r.stdout;
};
const podJson = async (ns: string, name: string) => JSON.parse(await ok(['get', 'pod', name, '-n', ns, '-o', 'json']));

before(async () => {
  api = await startTestApiServer();
  hook = await startTestWebhook();
});
after(async () => {
  await hook?.close();
  await api?.stop();
});

test('ResourceQuota refuses the pod over the limit with kube message', async () => {
  await ok(['create', 'namespace', 'quota']);
  await ok(['create', 'quota', 'q', '-n', 'quota', '--hard=pods=2']);
  await ok(['run', 'p1', '-n', 'quota', '--image=busybox']);
  await ok(['run', 'p2', '-n', 'quota', '--image=busybox']);
  const r = await api.kubectl(['run', 'p3', '-n', 'quota', '--image=busybox']);
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  const q = JSON.parse(await ok(['get', 'quota', 'q', '-n', 'quota', '-o', 'json']));
  assert.equal(q.status.used.pods, '2');
});

test('LimitRange defaults show up in kubectl get pod -o yaml', async () => {
  await ok(['create', 'namespace', 'limits']);
  await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: limits}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m, memory: 128Mi}\n    defaultRequest: {cpu: 250m, memory: 64Mi}\n');
  await ok(['run', 'web', '-n', 'limits', '--image=nginx']);
  const yaml = await ok(['get', 'pod', 'web', '-n', 'limits', '-o', 'yaml']);
  assert.match(yaml, /kubernetes\.io\/limit-ranger: 'LimitRanger plugin set/);
  assert.match(yaml, /requests:\n\s+cpu: 250m\n\s+memory: 64Mi/);
  const pod = await podJson('limits', 'web');
  assert.equal(pod.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } });
});

test('webhooks: one denies, one mutates (adds a label)', async () => {
  await ok(['create', 'namespace', 'hooked']);
  await ok(['label', 'namespace', 'hooked', 'webhooks=on']);
  const common = `  sideEffects: None\n  admissionReviewVersions: [v1]\n  namespaceSelector: {matchLabels: {webhooks: "on"}}\n  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]\n`;
  await ok(['apply', '-f', '-'], `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: labeller}\nwebhooks:\n- name: label.example.com\n  clientConfig: {url: "${hook.url('/label')}", caBundle: ${hook.caBundle}}\n${common}`);
  await ok(['apply', '-f', '-'], `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: denier}\nwebhooks:\n- name: deny.example.com\n  objectSelector: {matchLabels: {deny: "yes"}}\n  clientConfig: {url: "${hook.url('/deny')}", caBundle: ${hook.caBundle}}\n${common}`);
  const made = await api.kubectl(['run', 'good', '-n', 'hooked', '--image=busybox']);
  assert.equal(made.code, 0, made.out);
  assert.match(made.stderr, /Warning: labelled by the test webhook/);
  assert.equal((await podJson('hooked', 'good')).metadata.labels.admitted, 'yes');
  const r = await api.kubectl(['run', 'bad', '-n', 'hooked', '--image=busybox', '--labels=deny=yes']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^Error from server( \(Forbidden\))?: admission webhook "deny.example.com" denied the request: no pods named bad$/m);
  await ok(['delete', 'validatingwebhookconfiguration', 'denier']);
  await ok(['delete', 'mutatingwebhookconfiguration', 'labeller']);
});

test('PodSecurity enforce=restricted refuses a privileged pod with kube message', async () => {
  await ok(['create', 'namespace', 'secure']);
  await ok(['label', 'namespace', 'secure', 'pod-security.kubernetes.io/enforce=restricted']);
  const r = await api.kubectl(['apply', '-f', '-'], {
    input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: secure}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    securityContext: {privileged: true}\n',
  });
  assert.notEqual(r.code, 0);
  assert.equal(
    r.stderr.trim(),
    'Error from server (Forbidden): error when creating "STDIN": pods "root" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  const w = await api.kubectl(['create', 'deployment', 'd', '-n', 'secure', '--image=busybox']);
  assert.equal(w.code, 0, w.out);
  assert.match(w.stderr, /Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
});

test('priority classes resolve into spec.priority; a missing one is refused', async () => {
  await ok(['create', 'priorityclass', 'high', '--value=1000', '--preemption-policy=Never']);
  await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: vip, namespace: default}\nspec:\n  priorityClassName: high\n  containers: [{name: c, image: busybox}]\n');
  const pod = await podJson('default', 'vip');
  assert.equal(pod.spec.priority, 1000);
  assert.equal(pod.spec.preemptionPolicy, 'Never');
  const crit = await api.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: ghost, namespace: default}\nspec:\n  priorityClassName: nope\n  containers: [{name: c, image: busybox}]\n' });
  assert.match(crit.stderr, /pods "ghost" is forbidden: no PriorityClass with name nope was found/);
});

test('the default service account token volume and the default tolerations appear', async () => {
  await ok(['create', 'namespace', 'apps']);
  await ok(['create', 'serviceaccount', 'default', '-n', 'apps']);
  await ok(['run', 'app', '-n', 'apps', '--image=busybox']);
  const pod = await podJson('apps', 'app');
  assert.equal(pod.spec.serviceAccountName, 'default');
  const vol = pod.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
  assert.ok(vol, JSON.stringify(pod.spec.volumes));
  assert.equal(vol.projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
  assert.deepEqual(pod.spec.containers[0].volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  assert.deepEqual(
    pod.spec.tolerations.map((t: { key: string; tolerationSeconds: number }) => `${t.key}=${t.tolerationSeconds}`),
    ['node.kubernetes.io/not-ready=300', 'node.kubernetes.io/unreachable=300'],
  );
  const r = await api.kubectl(['run', 'other', '-n', 'apps', '--image=busybox', '--overrides={"spec":{"serviceAccountName":"missing"}}']);
  assert.match(r.stderr, /pods "other" is forbidden: error looking up service account apps\/missing: serviceaccount "missing" not found/);
});

test('ValidatingAdmissionPolicy: a CEL rule bound with Deny refuses, kubectl lists the kinds', async () => {
  await ok(['apply', '-f', '-'], `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas.example.com}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  validations:
  - expression: object.spec.replicas <= 5
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas-binding}
spec:
  policyName: max-replicas.example.com
  validationActions: [Deny]
`);
  const r = await api.kubectl(['create', 'deployment', 'big', '--image=nginx', '--replicas=9']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /ValidatingAdmissionPolicy 'max-replicas.example.com' with binding 'max-replicas-binding' denied request: failed expression: object.spec.replicas <= 5/);
  await ok(['create', 'deployment', 'small', '--image=nginx', '--replicas=2']);
  const list = await ok(['get', 'validatingadmissionpolicybindings']);
  assert.match(list, /max-replicas-binding\s+max-replicas.example.com\s+<unset>/);
  await ok(['delete', 'validatingadmissionpolicybinding', 'max-replicas-binding']);
});
