// Admission webhooks against a real HTTPS test webhook: mutation by JSONPatch, denial with
// kube's message, failure policies, timeouts, selectors, service references with caBundle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { mutatingWebhook, validatingWebhook } from './webhook.js';
import { startTestWebhook, type TestWebhook } from '../../../test/helpers/admission-webhook.js';
import { ApiError } from '../status.js';

let f: Fixture;
let hook: TestWebhook;
before(async () => {
  f = await fixture();
  hook = await startTestWebhook();
  await f.create('', 'namespaces', { metadata: { name: 'default' } });
  await f.create('', 'namespaces', { metadata: { name: 'hooked', labels: { webhooks: 'on' } } });
});
after(async () => {
  await hook.close();
  await f.close();
});

let n = 0;
const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }];
async function configure(kind: 'mutating' | 'validating', webhook: object): Promise<string> {
  const name = `cfg-${++n}`;
  const resource = kind === 'mutating' ? 'mutatingwebhookconfigurations' : 'validatingwebhookconfigurations';
  await f.create('admissionregistration.k8s.io', resource, { metadata: { name }, webhooks: [{ sideEffects: 'None', admissionReviewVersions: ['v1'], rules, ...webhook }] });
  return name;
}
async function unconfigure(kind: 'mutating' | 'validating', name: string) {
  const s = f.resources.storeFor('admissionregistration.k8s.io', kind === 'mutating' ? 'mutatingwebhookconfigurations' : 'validatingwebhookconfigurations')!;
  await s.store.deleteRange({ key: s.key('', name) });
}
const plugins = () => [mutatingWebhook(f.resources), validatingWebhook(f.resources)];
const cm = (ns: string, name = 'cm', labels?: Record<string, string>) => attrs('CREATE', { resource: 'configmaps', namespace: ns }, { metadata: { name, namespace: ns, ...(labels ? { labels } : {}) } });

test('a mutating webhook labels the object; the review carries the request', async () => {
  const cfg = await configure('mutating', { name: 'label.example.com', clientConfig: { url: hook.url('/label'), caBundle: hook.caBundle } });
  const a = await admit(plugins(), cm('default'));
  assert.deepEqual(a.object!.metadata!.labels, { admitted: 'yes' });
  assert.deepEqual(a.ctx.warnings, ['labelled by the test webhook']);
  const r = hook.reviews.at(-1)!;
  assert.equal(r.apiVersion, 'admission.k8s.io/v1');
  assert.equal(r.path.split('?')[1], 'timeout=10s');
  assert.deepEqual(r.request.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(r.request.resource, { group: '', version: 'v1', resource: 'configmaps' });
  assert.equal(r.request.operation, 'CREATE');
  assert.equal(r.request.namespace, 'default');
  assert.equal(r.request.userInfo.username, 'system:admin');
  await unconfigure('mutating', cfg);
});

test('a validating webhook denies with kube message and the webhook code', async () => {
  const cfg = await configure('validating', { name: 'deny.example.com', clientConfig: { url: hook.url('/deny'), caBundle: hook.caBundle } });
  await assert.rejects(admit(plugins(), cm('default', 'bad')), (e: ApiError) => {
    assert.equal(e.code, 403);
    assert.equal(e.message, 'admission webhook "deny.example.com" denied the request: no configmaps named bad');
    return true;
  });
  await unconfigure('validating', cfg);
});

test('failure policies: Fail refuses with 500, Ignore admits; a wrong uid or a timeout is a failure', async () => {
  const dead = 'https://127.0.0.1:1/x';
  let cfg = await configure('validating', { name: 'down.example.com', failurePolicy: 'Fail', clientConfig: { url: dead, caBundle: hook.caBundle } });
  await assert.rejects(admit(plugins(), cm('default')), (e: ApiError) => {
    assert.equal(e.code, 500);
    assert.match(e.message, /^Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:1\/x\?timeout=10s": .*ECONNREFUSED/);
    return true;
  });
  await unconfigure('validating', cfg);
  cfg = await configure('validating', { name: 'down.example.com', failurePolicy: 'Ignore', clientConfig: { url: dead, caBundle: hook.caBundle } });
  await admit(plugins(), cm('default'));
  await unconfigure('validating', cfg);
  cfg = await configure('validating', { name: 'uid.example.com', clientConfig: { url: hook.url('/bad-uid'), caBundle: hook.caBundle } });
  await assert.rejects(admit(plugins(), cm('default')), /expected response.uid=".*", got "other"/);
  await unconfigure('validating', cfg);
  cfg = await configure('validating', { name: 'slow.example.com', timeoutSeconds: 1, clientConfig: { url: hook.url('/slow'), caBundle: hook.caBundle } });
  await assert.rejects(admit(plugins(), cm('default')), /timeout=1s": context deadline exceeded/);
  await unconfigure('validating', cfg);
  cfg = await configure('validating', { name: 'untrusted.example.com', clientConfig: { url: hook.url('/deny') } });
  await assert.rejects(admit(plugins(), cm('default')), /failed calling webhook "untrusted.example.com"/);
  await unconfigure('validating', cfg);
});

test('namespace and object selectors pick what is sent; rules match operation and resource', async () => {
  const cfg = await configure('validating', {
    name: 'deny.example.com',
    namespaceSelector: { matchLabels: { webhooks: 'on' } },
    objectSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] },
    clientConfig: { url: hook.url('/deny'), caBundle: hook.caBundle },
  });
  await admit(plugins(), cm('default'));
  await admit(plugins(), cm('hooked', 'cm', { skip: 'yes' }));
  await admit(plugins(), attrs('CREATE', { resource: 'secrets', namespace: 'hooked' }, { metadata: { name: 's' } }));
  await assert.rejects(admit(plugins(), cm('hooked')), /denied the request/);
  await unconfigure('validating', cfg);
});

test('a service reference resolves through its endpoints and is verified as <name>.<namespace>.svc', async () => {
  await f.create('', 'services', { metadata: { name: 'hook', namespace: 'default' }, spec: { ports: [{ name: 'https', port: 443, targetPort: hook.port }] } });
  await f.create('', 'endpoints', { metadata: { name: 'hook', namespace: 'default' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: hook.port }] }] });
  const cfg = await configure('mutating', { name: 'svc.example.com', clientConfig: { service: { namespace: 'default', name: 'hook', path: '/label' }, caBundle: hook.caBundle } });
  const a = await admit(plugins(), cm('default'));
  assert.equal(a.object!.metadata!.labels.admitted, 'yes');
  await unconfigure('mutating', cfg);
});

test('a dry run is sent as such (v1 webhooks declare no side effects)', async () => {
  const cfg = await configure('validating', { name: 'effects.example.com', sideEffects: 'NoneOnDryRun', clientConfig: { url: hook.url('/allow'), caBundle: hook.caBundle } });
  const a = cm('default');
  a.ctx.dryRun = true;
  await admit(plugins(), a);
  assert.equal(hook.reviews.at(-1)!.request.dryRun, true);
  await unconfigure('validating', cfg);
});

test('a DELETE is sent with the object being removed as oldObject', async () => {
  await f.create('', 'configmaps', { metadata: { name: 'doomed', namespace: 'default' }, data: { a: 'b' } });
  const cfg = await configure('validating', { name: 'deletes.example.com', rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }], clientConfig: { url: hook.url('/deny'), caBundle: hook.caBundle } });
  await assert.rejects(admit(plugins(), attrs('DELETE', { resource: 'configmaps', namespace: 'default', name: 'doomed' })), /admission webhook "deletes.example.com" denied the request: no configmaps named doomed/);
  const r = hook.reviews.at(-1)!.request;
  assert.equal(r.operation, 'DELETE');
  assert.equal(r.object, null);
  assert.deepEqual(r.oldObject.data, { a: 'b' });
  assert.equal(r.options.kind, 'DeleteOptions');
  await unconfigure('validating', cfg);
});

test('matchConditions (CEL) narrow what a webhook sees', async () => {
  const cfg = await configure('validating', {
    name: 'cond.example.com',
    matchConditions: [{ name: 'only-prod-names', expression: "object.metadata.name.startsWith('prod-')" }],
    clientConfig: { url: hook.url('/deny'), caBundle: hook.caBundle },
  });
  await admit(plugins(), cm('default', 'dev-cm'));
  await assert.rejects(admit(plugins(), cm('default', 'prod-cm')), /admission webhook "cond.example.com" denied the request: no configmaps named prod-cm/);
  await unconfigure('validating', cfg);
});
