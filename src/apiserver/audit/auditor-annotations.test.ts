// The audit sink beyond the plain request: a request that fails authentication is one
// ResponseStarted event with an empty user and the credentials tried (kube's
// WithFailedAuthenticationAudit), rules naming users do not match it, and admission's audit
// annotations join the authorization ones, sorted by key as kube's JSON has them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRequestInfo } from '../request-info.js';
import { AuditPolicy } from './policy.js';
import { AuditLogWriter } from './log-writer.js';
import { Auditor } from './auditor.js';
import { until } from '../../../test/helpers/until.js';

async function withServer(policyText: string, handle: (auditor: Auditor, req: IncomingMessage, res: ServerResponse) => void, run: (base: string, events: () => Promise<Record<string, any>[]>) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-audit-'));
  const log = join(dir, 'audit.log');
  const auditor = new Auditor(AuditPolicy.parse(policyText), new AuditLogWriter(log));
  const server = createServer((req, res) => handle(auditor, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const events = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, events);
  } finally {
    server.close();
    await auditor.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const info = (req: IncomingMessage) => {
  const url = new URL(req.url!, 'http://x');
  return parseRequestInfo(req.method!, url.pathname, url.searchParams);
};

test('failed authentication: one ResponseStarted event, no user, 401 with the methods tried', async () => {
  const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: RequestResponse
  users: [alice]
- level: Metadata
  resources: [{group: "", resources: [secrets]}]
- level: Request
  nonResourceURLs: ["/healthz*"]
`;
  await withServer(
    policy,
    (auditor, req, res) => {
      auditor.failedAuthentication({ req, res, info: info(req) });
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"kind":"Status","code":401}');
    },
    async (base, events) => {
      const r = await fetch(`${base}/api/v1/namespaces/default/secrets?limit=5`, { headers: { Authorization: 'Bearer not-a-token', 'User-Agent': 'keelson-test' } });
      assert.equal(r.status, 401);
      const id = r.headers.get('audit-id');
      assert.ok(id);
      await fetch(`${base}/healthz`);
      await fetch(`${base}/api/v1/namespaces/default/pods`, { headers: { Authorization: 'Basic YTpi' } });
      const evs = await until('two events', async () => ((await events()).length >= 2 ? events() : undefined));
      const [secrets, healthz] = evs;
      assert.equal(secrets.auditID, id);
      assert.equal(secrets.stage, 'ResponseStarted');
      assert.equal(secrets.level, 'Metadata', 'the users rule does not match a request without a user');
      assert.deepEqual(secrets.user, {});
      assert.equal(secrets.verb, 'list');
      assert.equal(secrets.userAgent, 'keelson-test');
      assert.equal(secrets.requestURI, '/api/v1/namespaces/default/secrets?limit=5');
      assert.deepEqual(secrets.objectRef, { resource: 'secrets', namespace: 'default', apiVersion: 'v1' });
      assert.deepEqual(secrets.responseStatus, { metadata: {}, message: 'Authentication failed, attempted: bearer', code: 401 });
      assert.equal(secrets.annotations, undefined);
      assert.equal(healthz.level, 'Request');
      assert.deepEqual(healthz.responseStatus, { metadata: {}, message: 'Authentication failed, no credentials provided', code: 401 });
      assert.equal(evs.length, 2, 'pods are not covered by the policy: no event');
      assert.ok(!evs.some((e) => e.stage !== 'ResponseStarted'));
    },
  );
});

test("admission's audit annotations join the authorization ones, sorted", async () => {
  const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Metadata
`;
  await withServer(
    policy,
    (auditor, req, res) => {
      const a = auditor.begin({ req, res, info: info(req), user: { name: 'bob', groups: ['system:authenticated'] } });
      a?.authorized({ allowed: true, reason: '' });
      const ctx: { auditAnnotations?: Record<string, string> } = {};
      a?.instrument({ body: async () => Buffer.alloc(0), ctx });
      ctx.auditAnnotations = { 'pod-security.kubernetes.io/enforce-policy': 'privileged:latest' };
      res.writeHead(201);
      res.end();
    },
    async (base, events) => {
      await fetch(`${base}/api/v1/namespaces/default/pods`, { method: 'POST', body: '{}' });
      const evs = await until('the pod events', async () => ((await events()).some((e) => e.stage === 'ResponseComplete') ? events() : undefined));
      assert.equal(evs[0].stage, 'RequestReceived');
      assert.equal(evs[0].annotations, undefined);
      const done = evs.find((e) => e.stage === 'ResponseComplete')!;
      assert.deepEqual(Object.keys(done.annotations), ['authorization.k8s.io/decision', 'authorization.k8s.io/reason', 'pod-security.kubernetes.io/enforce-policy']);
      assert.equal(done.annotations['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');
    },
  );
});
