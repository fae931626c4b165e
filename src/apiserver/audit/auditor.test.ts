// The audit sink on a real HTTP server: Audit-ID (a client's own is kept), the request object
// captured only at level Request and up, a Panic event (and no ResponseComplete) for an
// unexpected error, a failed request's Status in responseStatus, no event at level None, and
// "-" writing to stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBody } from '../http-util.js';
import { parseRequestInfo } from '../request-info.js';
import { notFound } from '../status.js';
import { AuditPolicy } from './policy.js';
import { AuditLogWriter } from './log-writer.js';
import { Auditor } from './auditor.js';
import { until } from '../../../test/helpers/until.js';

const policy = AuditPolicy.parse(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  resources: [{group: "", resources: [events]}]
- level: Request
  resources: [{group: "", resources: [configmaps]}]
- level: Metadata
`);

test('events for success, API errors, panics and levels', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-audit-'));
  const log = join(dir, 'audit.log');
  const auditor = new Auditor(policy, new AuditLogWriter(log));
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const info = parseRequestInfo(req.method!, url.pathname, url.searchParams);
    const a = auditor.begin({ req, res, info, user: { name: 'alice', groups: ['devs'] } });
    a?.authorized({ allowed: true, reason: 'RBAC: allowed' });
    const h = { body: () => readBody(req) };
    a?.instrument(h);
    void (async () => {
      try {
        const body = await h.body();
        if (info.name === 'boom') throw new Error('kaboom');
        if (info.name === 'missing') throw notFound({ group: '', resource: 'configmaps' }, 'missing');
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(body);
      } catch (e) {
        a?.failed(e);
        res.writeHead((e as { code?: number }).code ?? 500);
        res.end();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const cm = JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c1' }, data: { a: 'b' } });
    const r1 = await fetch(`${base}/api/v1/namespaces/default/configmaps`, { method: 'POST', body: cm, headers: { 'Content-Type': 'application/json', 'Audit-ID': 'my-own-id' } });
    assert.equal(r1.headers.get('audit-id'), 'my-own-id');
    const r2 = await fetch(`${base}/api/v1/namespaces/default/configmaps/boom`, { method: 'PUT', body: cm, headers: { 'Content-Type': 'application/json' } });
    assert.match(r2.headers.get('audit-id')!, /^[0-9a-f-]{36}$/);
    await fetch(`${base}/api/v1/namespaces/default/configmaps/missing`);
    await fetch(`${base}/api/v1/namespaces/default/events`);
    await fetch(`${base}/api/v1/namespaces/default/secrets`, { method: 'POST', body: '{"kind":"Secret","data":{"k":"c2VjcmV0"}}', headers: { 'Content-Type': 'application/json' } });
    const lines = await until('the audit lines', async () => {
      const l = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((x) => JSON.parse(x));
      return l.filter((e) => e.stage !== 'RequestReceived').length >= 4 ? l : undefined;
    });
    const of = (uri: RegExp) => lines.filter((e) => uri.test(e.requestURI)).map((e) => e.stage);
    assert.deepEqual(of(/configmaps$/), ['RequestReceived', 'ResponseComplete']);
    const created = lines.find((e) => e.auditID === 'my-own-id' && e.stage === 'ResponseComplete');
    assert.equal(created.level, 'Request');
    assert.deepEqual(created.requestObject, JSON.parse(cm));
    assert.equal(created.objectRef.name, 'c1');
    assert.equal(created.responseObject, undefined);
    assert.deepEqual(created.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed' });
    assert.deepEqual(of(/boom$/), ['RequestReceived', 'Panic']);
    const panic = lines.find((e) => e.stage === 'Panic');
    assert.equal(panic.responseStatus.code, 500);
    assert.deepEqual(panic.responseStatus, { metadata: {}, status: 'Failure', message: "APIServer panic'd: kaboom", reason: 'InternalError', code: 500 });
    const missing = lines.find((e) => /missing$/.test(e.requestURI) && e.stage === 'ResponseComplete');
    assert.equal(missing.responseStatus.reason, 'NotFound');
    assert.equal(missing.responseStatus.code, 404);
    assert.equal(missing.responseStatus.message, 'configmaps "missing" not found');
    assert.deepEqual(of(/events$/), []);
    const secret = lines.find((e) => /secrets$/.test(e.requestURI) && e.stage === 'ResponseComplete');
    assert.equal(secret.level, 'Metadata');
    assert.equal(secret.requestObject, undefined);
  } finally {
    server.close();
    await auditor.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('--audit-log-path - writes JSON lines to stdout', () => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const code = `import { AuditLogWriter } from ${JSON.stringify(join(here, 'log-writer.ts'))};
const w = new AuditLogWriter('-'); w.write({ kind: 'Event', stage: 'ResponseComplete' }); await w.close();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '{"kind":"Event","stage":"ResponseComplete"}\n');
});
