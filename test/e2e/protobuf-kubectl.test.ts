// The real kubectl (1.32 via the dispatcher, and 1.33) sends protobuf bodies for typed creates,
// `create token` and drain. A tiny fake apiserver captures them; decodeKubernetesProtobuf must
// turn each into exactly the JSON kubectl builds (what `--dry-run=client -o json` prints), up to
// the `creationTimestamp: null` that JSON carries for zero times and the decoder drops.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKubernetesProtobuf, isKubernetesProtobufContentType } from '../../src/api/protobuf/decode.js';
import { kubectlEnv, startFakeApiserver, type CapturedRequest, type FakeApiserver, type KubectlEnv } from '../../src/api/protobuf/fake-apiserver.test-helper.js';

/** Drops null values (zero metav1.Time marshals to null; the decoder omits it). */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
    return out;
  }
  return v;
}

interface Case {
  name: string;
  args: string[];
  path: RegExp;
  /** extra checks on the decoded object beyond the dry-run comparison */
  check?: (obj: Record<string, unknown>) => void;
}

const CASES: Case[] = [
  { name: 'deployment', args: ['create', 'deployment', 'd', '--image=nginx:1.25', '--replicas=2'], path: /^\/apis\/apps\/v1\/namespaces\/default\/deployments$/,
    check: (o) => assert.equal((o.spec as { replicas: number }).replicas, 2) },
  { name: 'deployment with zero replicas and a port', args: ['create', 'deployment', 'z', '--image=nginx:1.25', '--replicas=0', '--port=8080'], path: /deployments$/,
    check: (o) => assert.equal((o.spec as { replicas: number }).replicas, 0) },
  { name: 'namespace', args: ['create', 'namespace', 'ns1'], path: /^\/api\/v1\/namespaces$/,
    check: (o) => assert.deepEqual([o.spec, o.status], [{}, {}]) },
  { name: 'configmap', args: ['create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=empty='], path: /configmaps$/,
    check: (o) => assert.deepEqual(o.data, { a: 'b', empty: '' }) },
  { name: 'secret generic', args: ['create', 'secret', 'generic', 's', '--from-literal=password=hunter2', '--type=Opaque'], path: /secrets$/,
    check: (o) => assert.deepEqual(o.data, { password: Buffer.from('hunter2').toString('base64') }) },
  { name: 'secret docker-registry', args: ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p'], path: /secrets$/ },
  { name: 'service clusterip', args: ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'], path: /services$/,
    check: (o) => assert.deepEqual((o.spec as { ports: unknown }).ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]) },
  { name: 'service nodeport', args: ['create', 'service', 'nodeport', 'np', '--tcp=5678:8080', '--node-port=30080'], path: /services$/ },
  { name: 'service externalname', args: ['create', 'service', 'externalname', 'ext', '--external-name=example.com'], path: /services$/ },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'sa1'], path: /serviceaccounts$/ },
  { name: 'job', args: ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'], path: /^\/apis\/batch\/v1\/namespaces\/default\/jobs$/ },
  { name: 'cronjob', args: ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'], path: /cronjobs$/ },
  { name: 'role', args: ['create', 'role', 'r', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=x'], path: /\/roles$/,
    check: (o) => assert.ok(JSON.stringify(o.rules).includes('""'), 'core group "" kept in apiGroups') },
  { name: 'rolebinding', args: ['create', 'rolebinding', 'rb', '--role=r', '--user=alice', '--serviceaccount=default:sa1', '--group=devs'], path: /rolebindings$/ },
  { name: 'clusterrole', args: ['create', 'clusterrole', 'cr', '--verb=get,list,watch', '--resource=nodes,pods/log'], path: /clusterroles$/ },
  { name: 'clusterrole non-resource URLs', args: ['create', 'clusterrole', 'urls', '--verb=get', '--non-resource-url=/healthz', '--non-resource-url=/logs/*'], path: /clusterroles$/ },
  { name: 'clusterrole aggregation', args: ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'], path: /clusterroles$/ },
  { name: 'clusterrolebinding', args: ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--user=bob'], path: /clusterrolebindings$/ },
  { name: 'quota', args: ['create', 'quota', 'q', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=BestEffort'], path: /resourcequotas$/,
    check: (o) => assert.deepEqual((o.spec as { hard: unknown }).hard, { cpu: '1', memory: '1Gi', pods: '10' }) },
  { name: 'priorityclass', args: ['create', 'priorityclass', 'pc', '--value=1000', '--description=high', '--preemption-policy=Never'], path: /priorityclasses$/ },
  { name: 'priorityclass zero value', args: ['create', 'priorityclass', 'pc0', '--value=0'], path: /priorityclasses$/,
    check: (o) => assert.equal(o.value, 0) },
  { name: 'poddisruptionbudget', args: ['create', 'poddisruptionbudget', 'pdb', '--selector=app=d', '--min-available=50%'], path: /poddisruptionbudgets$/,
    check: (o) => assert.equal((o.spec as { minAvailable: unknown }).minAvailable, '50%') },
  { name: 'poddisruptionbudget int', args: ['create', 'pdb', 'pdb2', '--selector=app=d', '--max-unavailable=1'], path: /poddisruptionbudgets$/,
    check: (o) => assert.equal((o.spec as { maxUnavailable: unknown }).maxUnavailable, 1) },
  { name: 'autoscale (HPA autoscaling/v1 from 1.32, v2 from 1.33)', args: ['autoscale', 'deployment', 'd', '--max=5', '--min=2', '--cpu-percent=80'], path: /horizontalpodautoscalers$/ },
  { name: 'ingress', args: ['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.com/bar=svc1:8080', '--rule=bar.com/*=svc2:http,tls=my-cert', '--default-backend=defsvc:80', '--annotation=a=b'], path: /ingresses$/ },
];

function protobufPosts(srv: FakeApiserver, from: number): CapturedRequest[] {
  return srv.requests.slice(from).filter((r) => r.method === 'POST');
}

for (const [binary, minor] of [['kubectl', '32'], ['kubectl', '33']] as const) {
  describe(`kubectl 1.${minor} protobuf create bodies decode to kubectl's own JSON`, () => {
    let srv: FakeApiserver;
    let kc: KubectlEnv;
    before(async () => {
      srv = await startFakeApiserver(minor);
      kc = await kubectlEnv(srv.url);
      srv.objects.set('/apis/apps/v1/namespaces/default/deployments/d', {
        kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'd', namespace: 'default', uid: 'd-uid' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      });
    });
    after(async () => {
      await srv.close();
      await kc.cleanup();
    });

    for (const c of CASES) {
      test(c.name, async () => {
        const from = srv.requests.length;
        const created = await kc.run(c.args, binary);
        assert.equal(created.code, 0, `kubectl ${c.args.join(' ')} failed: ${created.stderr}`);
        const posts = protobufPosts(srv, from);
        assert.equal(posts.length, 1, `one POST expected, got ${posts.map((p) => p.path).join(', ')}`);
        const post = posts[0];
        assert.match(post.path, c.path);
        assert.ok(isKubernetesProtobufContentType(post.contentType), `protobuf body expected, got ${post.contentType}`);
        const decoded = decodeKubernetesProtobuf(post.body);

        // Flags go before a `--` that starts the container command (job, cronjob).
        const dashDash = c.args.indexOf('--');
        const at = dashDash < 0 ? c.args.length : dashDash;
        const dryArgs = [...c.args.slice(0, at), '--dry-run=client', '-o', 'json', ...c.args.slice(at)];
        const dry = await kc.run(dryArgs, binary);
        assert.equal(dry.code, 0, dry.stderr);
        const expected = dropNulls(JSON.parse(dry.stdout));
        assert.deepEqual(decoded, expected);
        c.check?.(decoded);
      });
    }

    test('create job --from=cronjob re-encodes a rich pod template (full PodSpec through Go\'s encoder)', async () => {
      // kubectl GETs the CronJob (JSON), copies its jobTemplate into a Job and POSTs it as
      // protobuf: every PodSpec field below goes through Go's real protobuf marshaller.
      const template = JSON.parse(readFileSync(new URL('../../src/api/protobuf/testdata/rich-pod-template.json', import.meta.url), 'utf8'));
      srv.objects.set('/apis/batch/v1/namespaces/default/cronjobs/rich', {
        kind: 'CronJob', apiVersion: 'batch/v1',
        metadata: { name: 'rich', namespace: 'default', uid: '0f6a7c2e-1111-2222-3333-444455556666' },
        spec: {
          schedule: '* * * * *',
          jobTemplate: {
            metadata: { labels: { job: 'rich' } },
            spec: {
              parallelism: 2, completions: 4, activeDeadlineSeconds: 100, backoffLimit: 0,
              completionMode: 'Indexed', backoffLimitPerIndex: 1, maxFailedIndexes: 0,
              podFailurePolicy: { rules: [
                { action: 'FailIndex', onExitCodes: { containerName: 'app', operator: 'In', values: [42, 43] } },
                { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
              ] },
              successPolicy: { rules: [{ succeededIndexes: '0-1', succeededCount: 1 }] },
              ttlSecondsAfterFinished: 0, suspend: false, podReplacementPolicy: 'Failed',
              template,
            },
          },
        },
      });
      const args = ['create', 'job', 'rich-manual', '--from=cronjob/rich'];
      const from = srv.requests.length;
      const r = await kc.run(args, binary);
      assert.equal(r.code, 0, r.stderr);
      const [post] = protobufPosts(srv, from);
      assert.equal(post.path, '/apis/batch/v1/namespaces/default/jobs');
      assert.ok(isKubernetesProtobufContentType(post.contentType));
      const decoded = decodeKubernetesProtobuf(post.body);
      const dry = await kc.run([...args, '--dry-run=client', '-o', 'json'], binary);
      assert.equal(dry.code, 0, dry.stderr);
      assert.deepEqual(decoded, dropNulls(JSON.parse(dry.stdout)));
      // spot checks of Go pointer zeros and the owner reference kubectl adds
      const spec = decoded.spec as Record<string, any>;
      assert.equal(spec.backoffLimit, 0);
      assert.equal(spec.template.spec.volumes.length, template.spec.volumes.length);
      assert.deepEqual(Object.keys(template.spec).filter((k) => !(k in spec.template.spec)), ['hostPID'], 'only the omitempty false hostPID is dropped');
      assert.equal(spec.template.spec.terminationGracePeriodSeconds, 0);
      assert.equal(spec.template.spec.containers[0].securityContext.runAsUser, 0);
      assert.equal((decoded.metadata as any).ownerReferences[0].controller, true);
    });

    const reviews: Array<{ args: string[]; path: string; expected: Record<string, unknown> }> = [
      {
        args: ['auth', 'can-i', 'get', 'pods'],
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        expected: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } }, status: { allowed: false } },
      },
      {
        args: ['auth', 'can-i', 'create', 'deployments.apps', '--subresource=scale', '-n', 'ns1'],
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        expected: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: { resourceAttributes: { namespace: 'ns1', verb: 'create', group: 'apps', resource: 'deployments', subresource: 'scale' } }, status: { allowed: false } },
      },
      {
        args: ['auth', 'can-i', 'get', '/healthz'],
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        expected: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } }, status: { allowed: false } },
      },
      {
        args: ['auth', 'can-i', '--list'],
        path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
        expected: { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: { namespace: 'default' }, status: { incomplete: false } },
      },
      {
        args: ['auth', 'whoami'],
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        expected: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, status: { userInfo: {} } },
      },
    ];
    for (const rv of reviews) {
      test(`kubectl ${rv.args.join(' ')} sends a protobuf ${rv.expected.kind}`, async () => {
        const from = srv.requests.length;
        const r = await kc.run(rv.args, binary);
        assert.equal(r.code, 0, r.stderr);
        const [post] = protobufPosts(srv, from);
        assert.equal(post.path, rv.path);
        assert.ok(isKubernetesProtobufContentType(post.contentType));
        // Go's non-omitempty `allowed`/`incomplete` booleans are on the wire and in the JSON.
        assert.deepEqual(decodeKubernetesProtobuf(post.body), rv.expected);
      });
    }

    test('certificate approve PUTs the CSR (bytes, ExtraValue map, new condition) to /approval', async () => {
      const request = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n');
      srv.objects.set('/apis/certificates.k8s.io/v1/certificatesigningrequests/csr1', {
        kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', metadata: { name: 'csr1', uid: 'csr-uid' },
        spec: {
          request: request.toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'],
          username: 'alice', groups: ['system:authenticated'], extra: { 'scopes.example.com': ['a', 'b'], empty: [] }, expirationSeconds: 600,
        },
        status: {},
      });
      const from = srv.requests.length;
      const r = await kc.run(['certificate', 'approve', 'csr1'], binary);
      assert.equal(r.code, 0, r.stderr);
      const puts = srv.requests.slice(from).filter((q) => q.method === 'PUT');
      assert.equal(puts.length, 1);
      assert.equal(puts[0].path, '/apis/certificates.k8s.io/v1/certificatesigningrequests/csr1/approval');
      assert.ok(isKubernetesProtobufContentType(puts[0].contentType));
      const csr = decodeKubernetesProtobuf(puts[0].body) as any;
      const cond = csr.status.conditions[0];
      assert.match(cond.lastUpdateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      delete cond.lastUpdateTime;
      assert.deepEqual(csr, {
        kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', metadata: { name: 'csr1', uid: 'csr-uid' },
        spec: {
          request: request.toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', expirationSeconds: 600, usages: ['client auth'],
          username: 'alice', groups: ['system:authenticated'], extra: { 'scopes.example.com': ['a', 'b'], empty: [] },
        },
        status: { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.' }] },
      });
    });

    test('create configmap --from-file: binary content goes to binaryData as bytes', async () => {
      const blob = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41]);
      const file = join(kc.dir, 'blob.bin');
      writeFileSync(file, blob);
      const textFile = join(kc.dir, 'app.properties');
      writeFileSync(textFile, 'a=1\nb=2\n');
      const args = ['create', 'configmap', 'files', `--from-file=blob=${file}`, `--from-file=${textFile}`];
      const from = srv.requests.length;
      const r = await kc.run(args, binary);
      assert.equal(r.code, 0, r.stderr);
      const [post] = protobufPosts(srv, from);
      const decoded = decodeKubernetesProtobuf(post.body);
      assert.deepEqual(decoded.binaryData, { blob: blob.toString('base64') });
      assert.deepEqual(decoded.data, { 'app.properties': 'a=1\nb=2\n' });
      const dry = await kc.run([...args, '--dry-run=client', '-o', 'json'], binary);
      assert.deepEqual(decoded, dropNulls(JSON.parse(dry.stdout)));
    });

    test('create token sends a TokenRequest', async () => {
      const from = srv.requests.length;
      const r = await kc.run(['create', 'token', 'sa1', '--audience=https://a.example', '--audience=b', '--duration=10m', '--bound-object-kind=Pod', '--bound-object-name=p1', '--bound-object-uid=1234'], binary);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'fake-token');
      const [post] = protobufPosts(srv, from);
      assert.equal(post.path, '/api/v1/namespaces/default/serviceaccounts/sa1/token');
      assert.ok(isKubernetesProtobufContentType(post.contentType));
      assert.deepEqual(decodeKubernetesProtobuf(post.body), {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        // kubectl leaves metadata empty (name and namespace are in the URL); Go writes the
        // non-pointer status with its non-omitempty token "" (expirationTimestamp: zero -> dropped).
        metadata: {},
        spec: {
          audiences: ['https://a.example', 'b'],
          expirationSeconds: 600,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: '1234' },
        },
        status: { token: '' },
      });
    });
  });
}

describe('kubectl drain: DeleteOptions are protobuf, evictions JSON', () => {
  let srv: FakeApiserver;
  let kc: KubectlEnv;
  const pod = (name: string) => ({
    kind: 'Pod', apiVersion: 'v1',
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }],
    },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase: 'Running' },
  });
  before(async () => {
    srv = await startFakeApiserver('32');
    kc = await kubectlEnv(srv.url);
    srv.objects.set('/api/v1/nodes/n1', { kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1' }, spec: {}, status: {} });
  });
  after(async () => {
    await srv.close();
    await kc.cleanup();
  });

  for (const [grace, expected] of [['0', 0], ['7', 7]] as const) {
    test(`--disable-eviction --grace-period=${grace}: DELETE body is protobuf DeleteOptions`, async () => {
      srv.objects.set('/api/v1/namespaces/default/pods/p1', pod('p1'));
      const from = srv.requests.length;
      const r = await kc.run(['drain', 'n1', '--disable-eviction', `--grace-period=${grace}`, '--timeout=30s']);
      assert.equal(r.code, 0, r.stderr);
      const deletes = srv.requests.slice(from).filter((q) => q.method === 'DELETE' && q.path === '/api/v1/namespaces/default/pods/p1');
      assert.equal(deletes.length, 1);
      assert.ok(isKubernetesProtobufContentType(deletes[0].contentType), deletes[0].contentType);
      // An explicit zero grace period (a Go *int64) must survive: it means "delete now".
      assert.deepEqual(decodeKubernetesProtobuf(deletes[0].body), { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: expected });
    });
  }

  test('eviction: kubectl 1.32 sends the Eviction as JSON (observed; no protobuf needed)', async () => {
    srv.objects.set('/api/v1/namespaces/default/pods/p2', pod('p2'));
    const from = srv.requests.length;
    const r = await kc.run(['drain', 'n1', '--grace-period=0', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    const evictions = srv.requests.slice(from).filter((q) => q.method === 'POST' && q.path.endsWith('/pods/p2/eviction'));
    assert.equal(evictions.length, 1);
    const ev = evictions[0];
    const body = isKubernetesProtobufContentType(ev.contentType) ? decodeKubernetesProtobuf(ev.body) : JSON.parse(ev.body.toString());
    assert.equal(body.kind, 'Eviction');
    assert.equal(body.apiVersion, 'policy/v1');
    assert.deepEqual(body.metadata, { name: 'p2', namespace: 'default', creationTimestamp: null });
    assert.equal((body.deleteOptions as { gracePeriodSeconds: number }).gracePeriodSeconds, 0);
  });
});

describe('kubectl 1.32 debug --copy-to creates the copied Pod as protobuf', () => {
  test('the Pod copy with the debug container added', async () => {
    const srv = await startFakeApiserver('32');
    const kc = await kubectlEnv(srv.url);
    try {
      srv.objects.set('/api/v1/namespaces/default/pods/p1', {
        kind: 'Pod', apiVersion: 'v1',
        metadata: { name: 'p1', namespace: 'default', uid: 'u1', labels: { app: 'x' }, resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z' },
        spec: { nodeName: 'n1', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: '1' } } }] },
        status: { phase: 'Running', podIP: '10.0.0.1' },
      });
      const r = await kc.run(['debug', 'p1', '--copy-to=p1-copy', '--image=busybox:1.36', '--container=dbg', '--attach=false', '-i=false', '--profile=general']);
      assert.equal(r.code, 0, r.stderr);
      const [post] = protobufPosts(srv, 0);
      assert.equal(post.path, '/api/v1/namespaces/default/pods');
      assert.ok(isKubernetesProtobufContentType(post.contentType));
      // The copy drops labels (no --keep-labels), nodeName (no --same-node) and status; the
      // general profile adds SYS_PTRACE and turns on process-namespace sharing (a *bool).
      assert.deepEqual(decodeKubernetesProtobuf(post.body), {
        kind: 'Pod', apiVersion: 'v1',
        metadata: { name: 'p1-copy', namespace: 'default' },
        spec: {
          containers: [
            { name: 'c', image: 'busybox', resources: { limits: { cpu: '1' } } },
            { name: 'dbg', image: 'busybox:1.36', resources: {}, terminationMessagePolicy: 'File', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } },
          ],
          terminationGracePeriodSeconds: 0,
          shareProcessNamespace: true,
        },
        status: {},
      });
    } finally {
      await srv.close();
      await kc.cleanup();
    }
  });
});

describe('kubectl 1.31 and older send JSON (the protobuf path starts at 1.32)', () => {
  test('create deployment from kubectl 1.31 is application/json', async () => {
    const srv = await startFakeApiserver('31');
    const kc = await kubectlEnv(srv.url);
    try {
      const r = await kc.run(['create', 'deployment', 'd', '--image=nginx']);
      assert.equal(r.code, 0, r.stderr);
      const [post] = protobufPosts(srv, 0);
      assert.match(post.contentType, /^application\/json/);
      assert.equal(JSON.parse(post.body.toString()).kind, 'Deployment');
    } finally {
      await srv.close();
      await kc.cleanup();
    }
  });
});
