// The audit log end to end: keelson apiserver (the real CLI) with --audit-policy-file and
// --audit-log-path; kubectl actions on secrets (Metadata) and configmaps (RequestResponse)
// produce audit.k8s.io/v1 Event lines as kube-apiserver writes them; the Audit-ID response
// header names the event; requests the policy does not cover are not logged; a request that
// fails authentication is one ResponseStarted event with no user and a 401 (kube's
// WithFailedAuthenticationAudit).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';

const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  resources: [{group: "", resources: [secrets]}]
- level: RequestResponse
  resources: [{group: "", resources: [configmaps]}]
  omitManagedFields: true
- level: None
`;

let dir: string;
let api: TestApiServer;
let logPath: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keelson-audit-e2e-'));
  const policyPath = join(dir, 'policy.yaml');
  logPath = join(dir, 'audit.log');
  await writeFile(policyPath, policy);
  api = await startTestApiServer({ args: ['--audit-policy-file', policyPath, '--audit-log-path', logPath], inProcess: false });
});
after(async () => {
  await api?.stop();
  await rm(dir, { recursive: true, force: true });
});

type Event = Record<string, any>;
async function events(): Promise<Event[]> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
}
const find = (evs: Event[], verb: string, resource: string, name?: string) => evs.find((e) => e.verb === verb && e.objectRef?.resource === resource && (!name || e.objectRef?.name === name) && e.stage === 'ResponseComplete');

test('kubectl actions produce the expected audit events', async () => {
  assert.equal((await api.kubectl(['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2'])).code, 0);
  assert.equal((await api.kubectl(['get', 'secret', 's1'])).code, 0);
  assert.equal((await api.kubectl(['create', 'configmap', 'c1', '--from-literal=color=blue'])).code, 0);
  assert.equal((await api.kubectl(['get', 'configmap', 'c1', '-o', 'json'])).code, 0);
  assert.notEqual((await api.kubectl(['get', 'configmap', 'missing'])).code, 0);
  assert.equal((await api.kubectl(['get', 'pods'])).code, 0);
  const evs = await until('the configmap events', async () => {
    const all = await events();
    return find(all, 'get', 'configmaps', 'missing') && find(all, 'get', 'secrets', 's1') ? all : undefined;
  });
  for (const e of evs) {
    assert.equal(e.kind, 'Event');
    assert.equal(e.apiVersion, 'audit.k8s.io/v1');
    assert.match(e.auditID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.notEqual(e.stage, 'RequestReceived', 'omitStages drops RequestReceived');
    assert.match(e.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(e.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(['secrets', 'configmaps'].includes(e.objectRef?.resource), `only secrets and configmaps are logged, got ${e.objectRef?.resource ?? e.requestURI}`);
  }
  // Secrets at Metadata: who, what, the outcome; never the data.
  const create = find(evs, 'create', 'secrets')!;
  assert.ok(create, 'secret create logged');
  assert.equal(create.level, 'Metadata');
  assert.match(create.requestURI, /^\/api\/v1\/namespaces\/default\/secrets/);
  assert.ok(create.user.username, 'user logged');
  assert.ok(Array.isArray(create.user.groups));
  assert.ok(create.sourceIPs.includes('127.0.0.1'));
  assert.match(create.userAgent, /^kubectl/);
  // The name of a create comes from the request object, at Metadata too (kube's LogRequestObject).
  assert.deepEqual(create.objectRef, { resource: 'secrets', namespace: 'default', name: 's1', apiVersion: 'v1' });
  assert.deepEqual(create.responseStatus, { metadata: {}, code: 201 });
  assert.equal(create.annotations['authorization.k8s.io/decision'], 'allow');
  assert.ok('authorization.k8s.io/reason' in create.annotations);
  assert.equal(create.requestObject, undefined);
  assert.equal(create.responseObject, undefined);
  assert.ok(!JSON.stringify(evs.filter((e) => e.objectRef?.resource === 'secrets')).includes('aHVudGVyMg=='));
  assert.deepEqual(find(evs, 'get', 'secrets', 's1')!.objectRef, { resource: 'secrets', namespace: 'default', name: 's1', apiVersion: 'v1' });
  // Configmaps at RequestResponse: the request and response objects, managedFields omitted.
  const cm = find(evs, 'create', 'configmaps')!;
  assert.equal(cm.level, 'RequestResponse');
  assert.equal(cm.objectRef.name, 'c1');
  assert.equal(cm.requestObject.data.color, 'blue');
  assert.equal(cm.responseObject.data.color, 'blue');
  assert.equal(cm.responseObject.metadata.managedFields, undefined);
  assert.ok(cm.responseObject.metadata.uid);
  const get = find(evs, 'get', 'configmaps', 'c1')!;
  assert.equal(get.responseObject.metadata.name, 'c1');
  assert.equal(get.requestObject, undefined);
  const missing = find(evs, 'get', 'configmaps', 'missing')!;
  assert.deepEqual(missing.responseStatus, { metadata: {}, status: 'Failure', message: 'configmaps "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'configmaps' }, code: 404 });
});

test('the Audit-ID response header names the logged event', async () => {
  const r = await api.kubectl(['get', 'configmap', 'c1', '-v=8']);
  const m = r.stderr.match(/Audit-Id: ([0-9a-f-]{36})/i);
  assert.ok(m, 'kubectl -v=8 shows the Audit-Id header');
  const ev = await until('the event with that auditID', async () => (await events()).find((e) => e.auditID === m[1] && e.stage === 'ResponseComplete'));
  assert.equal(ev.verb, 'get');
  assert.equal(ev.objectRef.name, 'c1');
});

test('a watch logs ResponseStarted, then ResponseComplete when it ends', async () => {
  await api.kubectl(['get', 'configmaps', '--watch', '--request-timeout=2s']);
  const evs = await until('the watch events', async () => {
    const all = (await events()).filter((e) => e.verb === 'watch' && e.objectRef?.resource === 'configmaps');
    return all.some((e) => e.stage === 'ResponseComplete') ? all : undefined;
  });
  assert.deepEqual([...new Set(evs.map((e) => e.stage))], ['ResponseStarted', 'ResponseComplete']);
  assert.equal(evs.find((e) => e.stage === 'ResponseComplete')!.responseObject, undefined);
});

test('a bad token is audited: ResponseStarted, empty user, 401 naming the bearer credentials', async () => {
  // --raw: no discovery first, the one request is the list.
  const r = await api.kubectl(['get', '--raw', '/api/v1/namespaces/kube-system/secrets', `--server=${api.secureUrl}`, '--insecure-skip-tls-verify', '--token=not-a-token'], { env: { KUBECONFIG: '/dev/null' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Unauthorized/);
  const ev = await until('the 401 event', async () => (await events()).find((e) => e.responseStatus?.code === 401 && e.objectRef?.namespace === 'kube-system'));
  assert.equal(ev.stage, 'ResponseStarted');
  assert.equal(ev.level, 'Metadata');
  assert.deepEqual(ev.user, {});
  assert.equal(ev.verb, 'list');
  assert.deepEqual(ev.objectRef, { resource: 'secrets', namespace: 'kube-system', apiVersion: 'v1' });
  assert.deepEqual(ev.responseStatus, { metadata: {}, message: 'Authentication failed, attempted: bearer', code: 401 });
  assert.equal(ev.annotations, undefined);
  const same = (await events()).filter((e) => e.auditID === ev.auditID);
  assert.deepEqual(same.map((e) => e.stage), ['ResponseStarted'], 'no ResponseComplete for a failed authentication, as kube');
});
