// The real kubectl against the OpenAPI documents, served by a small HTTP server (discovery, the
// documents of this module with a CRD added, pods with create/get/patch): `explain` walks the
// schemas (built-in and custom); `apply` creates and then sends a strategic merge patch with
// fieldValidation=Strict. The server's /version minor picks the kubectl the dispatcher on PATH
// runs: 32 (v3 documents) and 28 (the protobuf /openapi/v2 document). Skipped when kubectl is not
// installed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenApiService, openApiResponse } from './index.js';
import type { ResourceInfo } from '../registry/strategy.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

const infos: ResourceInfo[] = [
  { group: '', version: 'v1', kind: 'Pod', listKind: 'PodList', resource: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', listKind: 'DeploymentList', resource: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'] },
];

interface Seen {
  method: string;
  url: string;
  contentType?: string;
  body: string;
}

const crontabCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', description: 'The CronTab spec.', properties: { cronSpec: { type: 'string', description: 'A cron line.' }, replicas: { type: 'integer' } } } },
          },
        },
      },
    ],
  },
};
const crontabs: ResourceInfo = { group: 'stable.example.com', version: 'v1', kind: 'CronTab', listKind: 'CronTabList', resource: 'crontabs', singular: 'crontab', namespaced: true, shortNames: ['ct'] };

function startFake(minor: string): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const svc = new OpenApiService(infos.map((info) => ({ info, status: {} })));
  svc.addCrd(crontabCrd);
  const seen: Seen[] = [];
  const pods = new Map<string, any>();
  const resourceList = (gv: string) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: [...infos, crontabs]
      .filter((r) => (r.group ? `${r.group}/${r.version}` : r.version) === gv)
      .map((r) => ({ name: r.resource, singularName: r.singular, namespaced: true, kind: r.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: r.shortNames })),
  });
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
      const send = (code: number, x: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(x));
      };
      const o = openApiResponse(svc, { method: req.method!, path: u.pathname, query: u.searchParams, headers: { accept: req.headers.accept, 'if-none-match': req.headers['if-none-match'] as string | undefined } });
      if (o) {
        res.writeHead(o.status, o.headers);
        res.end(o.body);
        return;
      }
      if (u.pathname === '/version') return send(200, { major: '1', minor, gitVersion: `v1.${minor}.0+fake`, platform: 'linux/amd64' });
      if (u.pathname === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      if (u.pathname === '/apis')
        return send(200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: ['apps', 'stable.example.com'].map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } })),
        });
      if (u.pathname === '/api/v1') return send(200, resourceList('v1'));
      if (u.pathname === '/apis/apps/v1') return send(200, resourceList('apps/v1'));
      if (u.pathname === '/apis/stable.example.com/v1') return send(200, resourceList('stable.example.com/v1'));
      const m = u.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/);
      if (m) {
        const notFound = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: `pods "${m[2]}" not found`, details: { name: m[2], kind: 'pods' } };
        if (req.method === 'GET') return pods.has(m[2]) ? send(200, pods.get(m[2])) : send(404, notFound);
        if (req.method === 'POST') {
          const p = JSON.parse(body);
          p.metadata = { ...p.metadata, namespace: m[1], resourceVersion: '1', uid: 'u1' };
          pods.set(p.metadata.name, p);
          return send(201, p);
        }
        if (req.method === 'PATCH') return pods.has(m[2]) ? send(200, pods.get(m[2])) : send(404, notFound);
      }
      send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, seen })));
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keelson-openapi-kubectl-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function kubectl(port: number, args: string[], input?: string): Promise<{ code: number; out: string }> {
  const kc = join(dir, `kubeconfig-${port}`);
  writeFileSync(
    kc,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]\ncurrent-context: c\n`,
  );
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', kc, '--cache-dir', join(dir, `cache-${port}`), ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as any).code ?? 1) : 0, out: stdout + stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

const POD = (value: string) => `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - name: c
    image: busybox:1.36
    env: [{name: A, value: "${value}"}]
`;

for (const minor of ['32', '28']) {
  test(`kubectl (server minor ${minor}): explain pod.spec, deployment containers, a custom resource; apply create then strategic merge patch`, { skip: !hasKubectl && 'kubectl not installed', timeout: 120_000 }, async () => {
    const { server, port, seen } = await startFake(minor);
    try {
      const ex = await kubectl(port, ['explain', 'pod.spec']);
      assert.equal(ex.code, 0, ex.out);
      assert.match(ex.out, /KIND:\s+Pod/);
      assert.match(ex.out, /containers\s+<\[\]Container> -required-/);
      assert.match(ex.out, /List of containers belonging to the pod/);
      const ex2 = await kubectl(port, ['explain', 'deployment.spec.template.spec.containers.ports']);
      assert.equal(ex2.code, 0, ex2.out);
      assert.match(ex2.out, /containerPort\s+<integer> -required-/);
      const ex3 = await kubectl(port, ['explain', 'crontab.spec']);
      assert.equal(ex3.code, 0, ex3.out);
      assert.match(ex3.out, /KIND:\s+CronTab/);
      assert.match(ex3.out, /The CronTab spec\./);
      assert.match(ex3.out, /cronSpec\s+<string>\s+A cron line\./);

      const a1 = await kubectl(port, ['apply', '-f', '-'], POD('1'));
      assert.equal(a1.code, 0, a1.out);
      assert.match(a1.out, /pod\/web created/);
      const a2 = await kubectl(port, ['apply', '-f', '-'], POD('2'));
      assert.equal(a2.code, 0, a2.out);
      assert.match(a2.out, /pod\/web configured/);
      const post = seen.find((s) => s.method === 'POST');
      assert.match(post!.url, /fieldValidation=Strict/);
      const patch = seen.find((s) => s.method === 'PATCH')!;
      assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
      assert.match(patch.url, /fieldValidation=Strict/);
      const p = JSON.parse(patch.body);
      assert.deepEqual(p.spec.containers[0].env, [{ name: 'A', value: '2' }]);
      assert.deepEqual(p.spec['$setElementOrder/containers'], [{ name: 'c' }], 'merge by name from the patch metadata');
      if (minor === '28') assert.ok(seen.some((s) => s.url.startsWith('/openapi/v2')), 'kubectl 1.28 reads the protobuf v2 document');
    } finally {
      server.close();
    }
  });
}
