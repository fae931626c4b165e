// A tiny HTTP server that answers just enough of the Kubernetes API for the real kubectl to send
// its create/evict/delete requests, and records every request (method, path, content type, raw
// body). Used by the kubectl capture tests; not part of keelson's apiserver.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { decodeKubernetesProtobuf, isKubernetesProtobufContentType } from './decode.js';

export interface CapturedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: Buffer;
}

type Res = [name: string, kind: string, namespaced: boolean, shortNames?: string[]];

const RESOURCES: Record<string, Res[]> = {
  v1: [
    ['namespaces', 'Namespace', false, ['ns']], ['configmaps', 'ConfigMap', true, ['cm']],
    ['secrets', 'Secret', true], ['services', 'Service', true, ['svc']],
    ['serviceaccounts', 'ServiceAccount', true, ['sa']], ['resourcequotas', 'ResourceQuota', true, ['quota']],
    ['pods', 'Pod', true, ['po']], ['nodes', 'Node', false, ['no']],
  ],
  'apps/v1': [
    ['deployments', 'Deployment', true, ['deploy']], ['replicasets', 'ReplicaSet', true, ['rs']],
    ['statefulsets', 'StatefulSet', true, ['sts']], ['daemonsets', 'DaemonSet', true, ['ds']],
  ],
  'batch/v1': [['jobs', 'Job', true], ['cronjobs', 'CronJob', true, ['cj']]],
  'autoscaling/v2': [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa']]],
  'autoscaling/v1': [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa']]],
  'authorization.k8s.io/v1': [['selfsubjectaccessreviews', 'SelfSubjectAccessReview', false], ['selfsubjectrulesreviews', 'SelfSubjectRulesReview', true], ['subjectaccessreviews', 'SubjectAccessReview', false]],
  'certificates.k8s.io/v1': [['certificatesigningrequests', 'CertificateSigningRequest', false, ['csr']]],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true], ['rolebindings', 'RoleBinding', true],
    ['clusterroles', 'ClusterRole', false], ['clusterrolebindings', 'ClusterRoleBinding', false],
  ],
  'scheduling.k8s.io/v1': [['priorityclasses', 'PriorityClass', false, ['pc']]],
  'policy/v1': [['poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb']]],
  'networking.k8s.io/v1': [['ingresses', 'Ingress', true, ['ing']], ['ingressclasses', 'IngressClass', false]],
  'authentication.k8s.io/v1': [['tokenreviews', 'TokenReview', false], ['selfsubjectreviews', 'SelfSubjectReview', false]],
};

const SUBRESOURCES: Record<string, Array<{ name: string; kind: string; group?: string; version?: string; verbs: string[] }>> = {
  v1: [
    { name: 'pods/eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'serviceaccounts/token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
  ],
  'apps/v1': [
    { name: 'deployments/scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
    { name: 'replicasets/scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
    { name: 'statefulsets/scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  ],
  'certificates.k8s.io/v1': [
    { name: 'certificatesigningrequests/approval', kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] },
  ],
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(gv: string): unknown {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
    resources: [
      ...RESOURCES[gv].map(([name, kind, namespaced, shortNames]) => ({
        name, singularName: kind.toLowerCase(), namespaced, kind, verbs: VERBS, ...(shortNames ? { shortNames } : {}),
      })),
      ...(SUBRESOURCES[gv] ?? []).map((s) => ({
        name: s.name, singularName: '', namespaced: RESOURCES[gv].find(([n]) => n === s.name.split('/')[0])?.[2] ?? true,
        group: s.group, version: s.version, kind: s.kind, verbs: s.verbs,
      })),
    ],
  };
}

export interface FakeApiserver {
  url: string;
  requests: CapturedRequest[];
  /** Objects served by GET (key: URL path) and listed by GET on their collection path. */
  objects: Map<string, unknown>;
  close(): Promise<void>;
}

/** Starts the fake apiserver on 127.0.0.1:0; `/version` reports minor `minor` (kubectl's dispatcher picks kubectl.1.<minor>). */
export async function startFakeApiserver(minor = '32'): Promise<FakeApiserver> {
  const requests: CapturedRequest[] = [];
  const objects = new Map<string, unknown>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks);
      const contentType = String(req.headers['content-type'] ?? '');
      requests.push({ method: req.method ?? '', path: u.pathname, query: u.searchParams, contentType, body });
      const json = (code: number, o: unknown): void => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      const notFound = (): void => json(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', message: `${u.pathname} not found`, code: 404 });
      const p = u.pathname;
      if (p === '/version') {
        return json(200, { major: '1', minor, gitVersion: `v1.${minor}.0+keelson`, gitCommit: '', gitTreeState: 'clean', buildDate: '2024-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64' });
      }
      if (p === '/api') return json(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
      if (p === '/apis') {
        const groups = Object.keys(RESOURCES).filter((gv) => gv !== 'v1').map((gv) => {
          const [name, version] = gv.split('/');
          return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
        });
        return json(200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
      }
      for (const gv of Object.keys(RESOURCES)) {
        if (p === (gv === 'v1' ? '/api/v1' : `/apis/${gv}`)) return json(200, resourceList(gv));
      }
      if (req.method === 'GET') {
        const obj = objects.get(p);
        if (obj) return json(200, obj);
        // Collections: direct children, or for a cluster-wide list like /api/v1/pods every
        // namespaced object of that resource (drain lists pods with fieldSelector spec.nodeName).
        const m = /^\/api\/v1\/([a-z]+)$/.exec(p);
        const inCollection = (k: string): boolean =>
          (k.startsWith(`${p}/`) && !k.slice(p.length + 1).includes('/')) ||
          (m !== null && new RegExp(`^/api/v1/namespaces/[^/]+/${m[1]}/[^/]+$`).test(k));
        const items = [...objects.entries()].filter(([k]) => inCollection(k)).map(([, v]) => v);
        if (items.length > 0 || /\/(pods|nodes)$/.test(p)) {
          const listKind = m ? `${(RESOURCES.v1.find(([n]) => n === m[1]) ?? ['', 'List'])[1]}List` : 'List';
          return json(200, { kind: listKind, apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
        }
        return notFound();
      }
      if (req.method === 'PATCH') {
        const obj = objects.get(p);
        return obj ? json(200, obj) : notFound();
      }
      if (req.method === 'POST' || req.method === 'PUT' || req.method === 'DELETE') {
        // Echo the object back (kubectl prints "<kind>/<name> created" from the response).
        let echo: Record<string, unknown>;
        try {
          echo = isKubernetesProtobufContentType(contentType) ? decodeKubernetesProtobuf(body) : body.length ? JSON.parse(body.toString()) : {};
        } catch {
          echo = {};
        }
        if (p.endsWith('/eviction') || req.method === 'DELETE') {
          // The pod goes away: drain then polls GET until 404.
          objects.delete(p.replace(/\/eviction$/, ''));
          return json(req.method === 'DELETE' ? 200 : 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 });
        }
        // Answers for the review kinds, so kubectl prints a result and exits 0.
        if (p.endsWith('/token')) echo.status = { token: 'fake-token', expirationTimestamp: '2030-01-01T00:00:00Z' };
        if (p.endsWith('/selfsubjectaccessreviews')) echo.status = { allowed: true };
        if (p.endsWith('/selfsubjectrulesreviews')) echo.status = { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], incomplete: false };
        if (p.endsWith('/selfsubjectreviews')) echo.status = { userInfo: { username: 'alice', groups: ['devs', 'system:authenticated'] } };
        return json(req.method === 'PUT' ? 200 : 201, echo);
      }
      return notFound();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export interface KubectlEnv {
  dir: string;
  kubeconfig: string;
  run(args: string[], binary?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): Promise<void>;
}

/** A temp dir with a kubeconfig pointing at `url` and its own discovery cache dir. */
export async function kubectlEnv(url: string): Promise<KubectlEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: fake, cluster: {server: "${url}"}}]`,
    'users: [{name: fake, user: {token: fake-token}}]',
    'contexts: [{name: fake, context: {cluster: fake, user: fake, namespace: default}}]',
    'current-context: fake', '',
  ].join('\n'));
  const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') };
  return {
    dir,
    kubeconfig,
    run: (args, binary = 'kubectl') => new Promise((resolve) => {
      execFile(binary, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
