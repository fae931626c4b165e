// Authorization with the real kubectl over TLS: users from a static token file; a user with only
// a namespaced `view` RoleBinding is Forbidden elsewhere with kube's message; `kubectl auth
// can-i` (yes/no, --list, subresources, --as a service account) matches the rules;
// impersonation needs the impersonate verb; RBAC escalation is refused unless `bind` is held;
// a kubelet's certificate reads only the secrets of pods bound to its node; anonymous requests
// get /version but not secrets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:https';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';
import { ensureClientCert } from '../../src/auth/pki/cluster-pki.js';
import { kubeconfigYaml } from '../../src/auth/pki/kubeconfig-file.js';

let s: TestApiServer;
let dir: string;
let jane: ReturnType<typeof kubectlWith>;

function userKubeconfig(admin: string, server: string, token: string): string {
  const ca = readFileSync(admin, 'utf8').match(/certificate-authority-data:\s*(\S+)/)?.[1] ?? '';
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: c, cluster: {server: "${server}", certificate-authority-data: ${ca}}}]`,
    `users: [{name: u, user: {token: ${token}}}]`,
    'contexts: [{name: x, context: {cluster: c, user: u, namespace: team}}]',
    'current-context: x',
    '',
  ].join('\n');
}

function anonymousGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('authorization with kubectl', { timeout: 180_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keelson-authz-'));
    const tokens = join(dir, 'tokens.csv');
    writeFileSync(tokens, 'jane-token,jane,1001\n');
    s = await startTestApiServer({ args: ['--token-auth-file', tokens] });
    const kc = join(dir, 'jane.kubeconfig');
    writeFileSync(kc, userKubeconfig(s.kubeconfig, s.secureUrl, 'jane-token'));
    jane = kubectlWith({ kubeconfig: kc, cacheDir: join(dir, 'jcache') });
    for (const args of [
      ['create', 'namespace', 'team'],
      ['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'team'],
      ['create', 'serviceaccount', 'bot'],
      ['create', 'rolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=default:bot'],
    ]) {
      const r = await s.kubectl(args);
      assert.equal(r.code, 0, r.out);
    }
  });
  after(async () => {
    await s?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a namespaced view binding reads its namespace and is Forbidden elsewhere', async () => {
    await until('jane can list pods in team', async () => (await jane(['get', 'pods', '-n', 'team'])).code === 0);
    const other = await jane(['get', 'pods', '-n', 'default']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /Error from server \(Forbidden\): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"/);
    const secret = await jane(['get', 'secret', 'x', '-n', 'team']);
    assert.match(secret.stderr, /Error from server \(Forbidden\): secrets "x" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "team"/);
    const nodes = await jane(['get', 'nodes']);
    assert.match(nodes.stderr, /nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope/);
    const create = await jane(['create', 'configmap', 'c', '-n', 'team']);
    assert.match(create.stderr, /configmaps is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "team"/);
  });

  it('kubectl auth can-i answers as the rules say', async () => {
    const yes = async (k: typeof jane, ...args: string[]) => {
      const r = await k(['auth', 'can-i', ...args]);
      return r.stdout.trim();
    };
    assert.equal(await yes(jane, 'list', 'pods', '-n', 'team'), 'yes');
    assert.equal(await yes(jane, 'get', 'pods', '--subresource=log', '-n', 'team'), 'yes');
    assert.equal(await yes(jane, 'create', 'pods', '-n', 'team'), 'no');
    assert.equal(await yes(jane, 'list', 'pods', '-n', 'default'), 'no');
    assert.equal(await yes(jane, 'list', 'secrets', '-n', 'team'), 'no');
    const r = await jane(['auth', 'can-i', 'delete', 'pods', '-n', 'team']);
    assert.equal(r.code, 1);
    const list = await jane(['auth', 'can-i', '--list', '-n', 'team']);
    assert.equal(list.code, 0, list.out);
    assert.match(list.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]/m);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    assert.doesNotMatch(list.stdout, /^secrets/m);
    // The admin through --as: a service account with a view RoleBinding in default.
    const as = ['--as=system:serviceaccount:default:bot'];
    assert.equal(await yes(s.kubectl, 'list', 'pods', ...as), 'yes');
    assert.equal(await yes(s.kubectl, 'watch', 'deployments.apps', ...as), 'yes');
    assert.equal(await yes(s.kubectl, 'delete', 'pods', ...as), 'no');
    assert.equal(await yes(s.kubectl, 'list', 'pods', '-n', 'team', ...as), 'no');
    assert.equal(await yes(s.kubectl, 'get', 'secrets', ...as), 'no');
    assert.equal(await yes(s.kubectl, '*', '*'), 'yes');
  });

  it('SubjectAccessReview and LocalSubjectAccessReview answer for any user', async () => {
    const sar = (kind: string, spec: Record<string, unknown>, ns?: string) =>
      s.kubectl(['create', '-f', '-', '-o', 'jsonpath={.status.allowed}/{.status.reason}'], {
        input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind, ...(ns ? { metadata: { namespace: ns } } : {}), spec }),
      });
    const ok = await sar('SubjectAccessReview', { user: 'jane', resourceAttributes: { namespace: 'team', verb: 'list', resource: 'pods' } });
    assert.equal(ok.stdout, 'true/RBAC: allowed by RoleBinding "jane-view/team" of ClusterRole "view" to User "jane"', ok.out);
    assert.equal((await sar('SubjectAccessReview', { user: 'jane', resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } })).stdout, 'false/');
    assert.equal((await sar('SubjectAccessReview', { user: 'x', groups: ['system:unauthenticated'], nonResourceAttributes: { verb: 'get', path: '/version' } })).stdout.split('/')[0], 'true');
    const noUser = await sar('SubjectAccessReview', { resourceAttributes: { verb: 'get', resource: 'pods' } });
    assert.match(noUser.stderr, /is invalid: spec\.user: Invalid value: "": at least one of user or group must be specified/);
    assert.equal((await sar('LocalSubjectAccessReview', { user: 'jane', resourceAttributes: { namespace: 'team', verb: 'get', resource: 'pods', subresource: 'log' } }, 'team')).stdout.split('/')[0], 'true');
    const mismatch = await sar('LocalSubjectAccessReview', { user: 'jane', resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } }, 'team');
    assert.match(mismatch.stderr, /spec\.resourceAttributes\.namespace must match namespace: team/);
  });

  it('impersonation needs the impersonate verb', async () => {
    const r = await jane(['get', 'pods', '--as=bob']);
    assert.match(r.stderr, /Error from server \(Forbidden\): users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope/);
    const who = await s.kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}', '--as=system:serviceaccount:default:bot']);
    assert.equal(who.stdout, 'system:serviceaccount:default:bot ["system:serviceaccounts","system:serviceaccounts:default","system:authenticated"]');
  });

  it('refuses RBAC escalation unless bind is held', async () => {
    // bot may create ClusterRoleBindings, but holds only view in default.
    assert.equal((await s.kubectl(['create', 'clusterrole', 'crb-maker', '--verb=create', '--resource=clusterrolebindings.rbac.authorization.k8s.io'])).code, 0);
    assert.equal((await s.kubectl(['create', 'clusterrolebinding', 'bot-crb-maker', '--clusterrole=crb-maker', '--serviceaccount=default:bot'])).code, 0);
    const as = '--as=system:serviceaccount:default:bot';
    await until('bot may create clusterrolebindings', async () => (await s.kubectl(['auth', 'can-i', 'create', 'clusterrolebindings', as])).stdout.trim() === 'yes');
    const esc = await s.kubectl(['create', 'clusterrolebinding', 'esc', '--clusterrole=cluster-admin', '--serviceaccount=default:bot', as]);
    assert.equal(esc.code, 1);
    assert.match(
      esc.stderr,
      /failed to create clusterrolebinding: clusterrolebindings\.rbac\.authorization\.k8s\.io "esc" is forbidden: user "system:serviceaccount:default:bot" \(groups=\["system:serviceaccounts" "system:serviceaccounts:default" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}\n\{NonResourceURLs:\["\*"\], Verbs:\["\*"\]\}/,
    );
    // view is held in default only, not cluster-wide: binding it cluster-wide is refused too.
    const view = await s.kubectl(['create', 'clusterrolebinding', 'esc2', '--clusterrole=view', '--serviceaccount=default:bot', as]);
    assert.match(view.stderr, /is attempting to grant RBAC permissions not currently held/);
    // With `bind` on cluster-admin the binding is allowed.
    assert.equal((await s.kubectl(['create', 'clusterrole', 'binder', '--verb=bind', '--resource=clusterroles.rbac.authorization.k8s.io', '--resource-name=cluster-admin'])).code, 0);
    assert.equal((await s.kubectl(['create', 'clusterrolebinding', 'bot-binder', '--clusterrole=binder', '--serviceaccount=default:bot'])).code, 0);
    await until('binding with bind', async () => (await s.kubectl(['create', 'clusterrolebinding', 'esc', '--clusterrole=cluster-admin', '--serviceaccount=default:bot', as])).code === 0);
  });

  it('refuses a role with rules the user lacks unless escalate is held', async () => {
    // maker holds view in default (bot is cluster-admin by now).
    const as = '--as=system:serviceaccount:default:maker';
    assert.equal((await s.kubectl(['create', 'serviceaccount', 'maker'])).code, 0);
    assert.equal((await s.kubectl(['create', 'rolebinding', 'maker-view', '--clusterrole=view', '--serviceaccount=default:maker'])).code, 0);
    assert.equal((await s.kubectl(['create', 'role', 'role-maker', '--verb=create,update', '--resource=roles.rbac.authorization.k8s.io'])).code, 0);
    assert.equal((await s.kubectl(['create', 'rolebinding', 'maker-role-maker', '--role=role-maker', '--serviceaccount=default:maker'])).code, 0);
    await until('maker may create roles', async () => (await s.kubectl(['auth', 'can-i', 'create', 'roles', as])).stdout.trim() === 'yes');
    // Rules maker holds in default (view) are fine; secrets are not.
    assert.equal((await s.kubectl(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', as])).code, 0);
    const esc = await s.kubectl(['create', 'role', 'secret-reader', '--verb=get', '--resource=secrets', as]);
    assert.match(esc.stderr, /roles\.rbac\.authorization\.k8s\.io "secret-reader" is forbidden: user "system:serviceaccount:default:maker" \(groups=.*\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/);
    assert.equal((await s.kubectl(['create', 'role', 'escalator', '--verb=escalate', '--resource=roles.rbac.authorization.k8s.io'])).code, 0);
    assert.equal((await s.kubectl(['create', 'rolebinding', 'maker-escalator', '--role=escalator', '--serviceaccount=default:maker'])).code, 0);
    await until('escalate lets maker create the role', async () => (await s.kubectl(['create', 'role', 'secret-reader', '--verb=get', '--resource=secrets', as])).code === 0);
  });

  it("a kubelet reads its pods' secrets and not another node's", async () => {
    const pod = (name: string, node: string, secret: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox', env: [{ name: 'S', valueFrom: { secretKeyRef: { name: secret, key: 'k' } } }] }] } });
    await s.kubectl(['create', 'serviceaccount', 'default', '-n', 'default']);
    for (const [p, n, sec] of [['on-n1', 'n1', 's1'], ['on-n2', 'n2', 's2']]) {
      assert.equal((await s.kubectl(['create', 'secret', 'generic', sec, '--from-literal=k=v'])).code, 0);
      const r = await s.kubectl(['create', '-f', '-'], { input: pod(p, n, sec) });
      assert.equal(r.code, 0, r.out);
    }
    const cert = await ensureClientCert(join(s.dataDir, 'pki'), 'test-kubelet-n1', 'system:node:n1', ['system:nodes']);
    const ca = Buffer.from(readFileSync(s.kubeconfig, 'utf8').match(/certificate-authority-data:\s*(\S+)/)?.[1] ?? '', 'base64').toString();
    const kc = join(dir, 'n1.kubeconfig');
    writeFileSync(kc, kubeconfigYaml({ server: s.secureUrl, caCert: ca, clientCert: cert.cert, clientKey: cert.key, namespace: 'default' }));
    const n1 = kubectlWith({ kubeconfig: kc, cacheDir: join(dir, 'n1cache') });
    await until('n1 reads s1', async () => (await n1(['get', 'secret', 's1', '-o', 'name'])).stdout.trim() === 'secret/s1');
    const other = await n1(['get', 'secret', 's2']);
    assert.match(other.stderr, /Error from server \(Forbidden\): secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object/);
    assert.match((await n1(['get', 'secrets'])).stderr, /secrets is forbidden: User "system:node:n1" cannot list resource "secrets"/);
    assert.equal((await n1(['get', 'pods', '-o', 'name'])).code, 0);
    assert.match((await n1(['delete', 'namespace', 'team'])).stderr, /namespaces "team" is forbidden/);
    // Once the pod is gone, so is the access.
    assert.equal((await s.kubectl(['delete', 'pod', 'on-n1', '--grace-period=0', '--force'])).code, 0);
    await until('n1 loses s1', async () => (await n1(['get', 'secret', 's1'])).stderr.includes('no relationship found'));
  });

  it('anonymous gets /version but not secrets', async () => {
    assert.equal(await anonymousGet(`${s.secureUrl}/version`), 200);
    assert.equal(await anonymousGet(`${s.secureUrl}/healthz`), 200);
    assert.equal(await anonymousGet(`${s.secureUrl}/api/v1/secrets`), 403);
  });
});
