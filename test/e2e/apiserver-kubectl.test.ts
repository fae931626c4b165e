// The real kubectl drives a fresh `keelson apiserver`: on the embedded store, and on a real
// etcd when the binary is available. Each check asserts what a user sees.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { etcdAvailable, startEtcd, type StartedEtcd } from '../helpers/etcd.js';
import { kubectlExpect } from '../helpers/kubectl.js';

const deployment = (image: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: ${image}
        env: [{name: A, value: "1"}]
`;

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {cronSpec: {type: string}, replicas: {type: integer, minimum: 0}}}
          status: {type: object, properties: {ok: {type: boolean}}}
`;

function suite(name: string, backend: () => Promise<{ etcdServers?: string[]; stop?: () => Promise<void> }>) {
  describe(`kubectl against keelson apiserver (${name})`, () => {
    let api: TestApiServer;
    let stopBackend: (() => Promise<void>) | undefined;
    let k: TestApiServer['kubectl'];
    const { ok, fails } = kubectlExpect(() => k);

    before(async () => {
      const b = await backend();
      stopBackend = b.stop;
      api = await startTestApiServer({ etcdServers: b.etcdServers });
      k = api.kubectl;
    });
    after(async () => {
      await api?.stop();
      await stopBackend?.();
    });

    it('reports API level 1.32 and serves discovery', async () => {
      const v = JSON.parse(await ok(['version', '-o', 'json']));
      assert.equal(v.serverVersion.minor, '32');
      assert.match(await ok(['api-resources']), /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
      const versions = await ok(['api-versions']);
      for (const gv of ['v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1']) assert.match(versions, new RegExp(`^${gv.replace('.', '\\.')}$`, 'm'));
      assert.match(await ok(['get', 'ns']), /default\s+Active[\s\S]*kube-node-lease[\s\S]*kube-public[\s\S]*kube-system/);
      assert.match(await ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']), /^10\.96\.0\.1$/);
      assert.match(await ok(['get', 'priorityclasses', '-o', 'name']), /priorityclass.scheduling.k8s.io\/system-cluster-critical\npriorityclass.scheduling.k8s.io\/system-node-critical/);
    });

    it('creates and reads objects in every output format', async () => {
      assert.match(await ok(['create', 'configmap', 'cm1', '--from-literal=k=v']), /configmap\/cm1 created/);
      assert.match(await ok(['create', 'secret', 'generic', 's1', '--from-literal=password=x']), /secret\/s1 created/);
      assert.match(await ok(['create', 'namespace', 'team-a']), /namespace\/team-a created/);
      const y = await ok(['get', 'cm', 'cm1', '-o', 'yaml']);
      assert.match(y, /^ {2}k: v$/m);
      assert.match(y, /resourceVersion: "\d+"/);
      assert.match(y, /uid: [0-9a-f-]{36}/);
      assert.match(y, /creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
      const j = JSON.parse(await ok(['get', 'cm', 'cm1', '-o', 'json']));
      assert.equal(j.kind, 'ConfigMap');
      assert.equal(j.data.k, 'v');
      assert.equal(await ok(['get', 'cm', 'cm1', '-o', 'name']), 'configmap/cm1\n');
      assert.equal(await ok(['get', 'cm', 'cm1', '-o', 'jsonpath={.data.k}']), 'v');
      assert.match(await ok(['get', 'cm', '-o', 'custom-columns=N:.metadata.name,K:.data.k']), /N\s+K\ncm1\s+v/);
      assert.equal(Buffer.from(JSON.parse(await ok(['get', 'secret', 's1', '-o', 'json'])).data.password, 'base64').toString(), 'x');
    });

    it('applies, re-applies (strategic merge), scales and bumps generation', async () => {
      assert.match(await ok(['apply', '-f', '-'], deployment('nginx:1.25')), /deployment.apps\/web created/);
      assert.match(await ok(['apply', '-f', '-'], deployment('nginx:1.26')), /deployment.apps\/web configured/);
      assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.26');
      assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].env[0].value}']), '1');
      assert.match(await ok(['get', 'deploy']), /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2/);
      assert.match(await ok(['scale', 'deployment', 'web', '--replicas=5']), /deployment.apps\/web scaled/);
      assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '5');
      assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.generation}']), '3');
      assert.match(await ok(['apply', '-f', '-'], deployment('nginx:1.26', 5)), /deployment.apps\/web (unchanged|configured)/);
    });

    it('server-side apply reports conflicts and forces them', async () => {
      const out = await fails(['apply', '--server-side', '-f', '-'], deployment('nginx:1.27', 3));
      assert.match(out, /conflict/i);
      assert.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], deployment('nginx:1.27', 3)), /serverside-applied/);
      assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
    });

    it('patches with every patch type, labels and annotates', async () => {
      assert.match(await ok(['patch', 'cm', 'cm1', '--type=json', '-p', '[{"op":"add","path":"/data/k2","value":"v2"}]']), /patched/);
      assert.match(await ok(['patch', 'cm', 'cm1', '--type=merge', '-p', '{"data":{"k3":"v3"}}']), /patched/);
      assert.match(await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}']), /patched/);
      assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].name}']), 'c');
      assert.equal(await ok(['get', 'cm', 'cm1', '-o', 'jsonpath={.data.k2},{.data.k3}']), 'v2,v3');
      assert.match(await ok(['label', 'cm', 'cm1', 'tier=front']), /labeled/);
      assert.match(await ok(['annotate', 'cm', 'cm1', 'note=hi']), /annotated/);
      assert.match(await ok(['get', 'cm', '-l', 'tier in (front,back)', '-o', 'name']), /configmap\/cm1/);
      assert.equal(await ok(['get', 'cm', '-l', 'tier!=front', '-o', 'name']).then((s) => s.includes('cm1')), false);
      assert.match(await ok(['get', 'cm', '--field-selector', 'metadata.name=cm1', '-o', 'name']), /^configmap\/cm1\n$/);
      assert.match(await ok(['get', 'cm', '-A']), /NAMESPACE\s+NAME\s+DATA\s+AGE[\s\S]*default\s+cm1/);
      assert.match(await ok(['get', 'cm', 'cm1', '--show-labels']), /tier=front/);
    });

    it('replaces, edits and detects stale writes', async () => {
      const cm = JSON.parse(await ok(['get', 'cm', 'cm1', '-o', 'json']));
      cm.data.k = 'replaced';
      assert.match(await ok(['replace', '-f', '-'], JSON.stringify(cm)), /replaced/);
      cm.data.k = 'stale';
      assert.match(await fails(['replace', '-f', '-'], JSON.stringify(cm)), /Operation cannot be fulfilled on configmaps "cm1": the object has been modified; please apply your changes to the latest version and try again/);
      const editor = join(api.dataDir, 'editor.sh');
      await writeFile(editor, `#!/bin/sh\nsed -i 's/k: replaced/k: edited/' "$1"\n`);
      await chmod(editor, 0o755);
      const r = await k(['edit', 'cm', 'cm1'], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
      assert.equal(r.code, 0, r.out);
      assert.equal(await ok(['get', 'cm', 'cm1', '-o', 'jsonpath={.data.k}']), 'edited');
      const d = await k(['diff', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1}\ndata: {k: diffed}\n' });
      assert.equal(d.code, 1, d.out);
      assert.match(d.stdout, /^-\s+k: edited$/m);
      assert.match(d.stdout, /^\+\s+k: diffed$/m);
    });

    it('prints errors as kubectl users know them', async () => {
      assert.match(await fails(['get', 'pod', 'nope']), /Error from server \(NotFound\): pods "nope" not found/);
      assert.match(await fails(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1}\n'), /Error from server \(AlreadyExists\).*configmaps "cm1" already exists/);
      assert.match(await fails(['create', 'configmap', 'Bad_Name', '--from-literal=a=b']), /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
      assert.match(await fails(['get', 'cm', '-l', 'a in b']), /Error from server \(BadRequest\)|unable to parse requirement/);
      assert.match(await fails(['get', 'cm', '--field-selector', 'spec.nope=x']), /field label not supported: spec.nope/);
      assert.match(await fails(['create', 'configmap', 'x', '-n', 'missing-ns', '--from-literal=a=b']), /namespaces "missing-ns" not found/);
      assert.match(await fails(['get', '--raw', '/api/v1/namespaces/default/configmaps?continue=not-a-token']), /continue key is not valid/);
      assert.match(await fails(['get', '--raw', '/api/v1/namespaces/default/configmaps?resourceVersion=99999999&resourceVersionMatch=Exact&limit=1']), /Too large resource version|Timeout/);
      assert.match(await fails(['get', '--raw', '/api/v1/nonsense']), /NotFound|could not find/);
    });

    it('refuses values of the wrong JSON type as the decoder does, whatever the field validation', async () => {
      const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keelson-typed}\ndata: {port: 8080}\n';
      for (const extra of [[], ['--validate=false']])
        assert.match(
          await fails(['create', '-f', '-', ...extra], cm),
          /Error from server \(BadRequest\): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap\.data of type string/,
        );
      await fails(['get', 'cm', 'keelson-typed']);
      assert.match(
        await fails(['apply', '-f', '-'], deployment('nginx', 2).replace('replicas: 2', 'replicas: "2"').replace('name: web,', 'name: keelson-typed,')),
        /Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32/,
      );
      assert.match(
        await fails(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keelson-typed}\ndata: {a: b}\nbogus: 1\n'),
        /ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"/,
      );
      // A merge or JSON patch whose result has the wrong type is an Invalid `patch`; nothing is stored.
      await ok(['create', 'configmap', 'keelson-typed', '--from-literal=port=8080']);
      for (const [type, p] of [['merge', '{"data":{"port":8081}}'], ['json', '[{"op":"replace","path":"/data/port","value":8081}]']])
        assert.match(await fails(['patch', 'cm', 'keelson-typed', '--type', type, '-p', p]), /The request is invalid: patch: Invalid value: "\{.*\}": json: cannot unmarshal number into Go struct field ConfigMap\.data of type string/);
      assert.equal(await ok(['get', 'cm', 'keelson-typed', '-o', 'jsonpath={.data.port}']), '8080');
      assert.match(await fails(['patch', 'cm', 'keelson-typed', '--type=merge', '-p', '{"metadata":{"name":"keelson-other"}}']), /Error from server \(BadRequest\): the name of the object \(keelson-other\) does not match the name on the URL \(keelson-typed\)/);
      await ok(['delete', 'cm', 'keelson-typed']);
    });

    it('selects services on spec.clusterIP and spec.type; serves csistoragecapacities', async () => {
      await ok(['create', 'service', 'clusterip', 'keelson-headless', '--clusterip=None']);
      await ok(['create', 'service', 'nodeport', 'keelson-np', '--tcp=80:80']);
      const names = await ok(['get', 'svc', '--field-selector', 'spec.clusterIP!=None', '-o', 'name']);
      assert.match(names, /service\/keelson-np/);
      assert.doesNotMatch(names, /keelson-headless/);
      assert.equal(await ok(['get', 'svc', '--field-selector', 'spec.type=NodePort', '-o', 'name']), 'service/keelson-np\n');
      const cap = 'apiVersion: storage.k8s.io/v1\nkind: CSIStorageCapacity\nmetadata: {name: keelson-cap}\nstorageClassName: local-path\ncapacity: 1.5Gi\n';
      await ok(['apply', '-f', '-'], cap);
      assert.match(await ok(['get', 'csistoragecapacities']), /^NAME\s+STORAGECLASSNAME\s+CAPACITY\nkeelson-cap\s+local-path\s+1536Mi\n$/);
      assert.match(await fails(['patch', 'csistoragecapacity', 'keelson-cap', '--type=merge', '-p', '{"storageClassName":"other"}']), /storageClassName: Invalid value: "other": field is immutable/);
      await ok(['delete', 'svc', 'keelson-headless', 'keelson-np']);
      await ok(['delete', 'csistoragecapacity', 'keelson-cap']);
    });

    it('watches changes (-w)', async () => {
      const w = k(['get', 'cm', '-w', '--output-watch-events'], { timeoutMs: 5000 });
      await new Promise((r) => setTimeout(r, 1500));
      await ok(['label', 'cm', 'cm1', 'w=1']);
      await ok(['create', 'configmap', 'cm-w', '--from-literal=a=b']);
      await ok(['delete', 'cm', 'cm-w']);
      const r = await w;
      assert.match(r.stdout, /ADDED\s+cm1/);
      assert.match(r.stdout, /MODIFIED\s+cm1/);
      assert.match(r.stdout, /ADDED\s+cm-w/);
      assert.match(r.stdout, /DELETED\s+cm-w/);
    });

    it('allocates ClusterIPs and rejects duplicates', async () => {
      assert.match(await ok(['create', 'service', 'clusterip', 's1', '--tcp=80:8080']), /service\/s1 created/);
      const ip = await ok(['get', 'svc', 's1', '-o', 'jsonpath={.spec.clusterIP}']);
      assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
      const dup = `apiVersion: v1\nkind: Service\nmetadata: {name: s2}\nspec: {clusterIP: ${ip}, ports: [{port: 80}]}\n`;
      assert.match(await fails(['create', '-f', '-'], dup), new RegExp(`Service "s2" is invalid: spec.clusterIPs: Invalid value: \\[\\]string\\{"${ip.replace(/\./g, '\\.')}"\\}: failed to allocate IP ${ip.replace(/\./g, '\\.')}: provided IP is already allocated|provided IP is already allocated`));
      assert.match(await ok(['create', 'service', 'nodeport', 'np', '--tcp=80:8080']), /created/);
      const np = Number(await ok(['get', 'svc', 'np', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
      assert.ok(np >= 30000 && np <= 32767, String(np));
      assert.match(await ok(['create', 'service', 'clusterip', 'headless', '--clusterip=None']), /created/);
    });

    it('deletes: grace period, label selector, --all, orphan cascade, wait --for=delete', async () => {
      await ok(['create', 'configmap', 'd1', '--from-literal=a=b']);
      await ok(['label', 'cm', 'd1', 'del=yes']);
      assert.match(await ok(['delete', 'cm', '-l', 'del=yes']), /configmap "d1" deleted/);
      await ok(['run', 'p1', '--image=busybox', '--restart=Never']);
      assert.match(await ok(['delete', 'pod', 'p1', '--grace-period=0', '--force']), /pod "p1" (force )?deleted/);
      assert.match(await ok(['delete', 'deploy', 'web', '--cascade=orphan', '--wait=false']), /deployment.apps "web" deleted/);
      const d = JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json']));
      assert.ok(d.metadata.deletionTimestamp);
      assert.deepEqual(d.metadata.finalizers, ['orphan']);
      await ok(['create', 'configmap', 'w1', '--from-literal=a=b']);
      const waiter = k(['wait', '--for=delete', 'cm/w1', '--timeout=20s']);
      await new Promise((r) => setTimeout(r, 500));
      await ok(['delete', 'cm', 'w1', '--wait=false']);
      assert.equal((await waiter).code, 0);
      await ok(['create', 'configmap', 'a1', '-n', 'team-a', '--from-literal=a=b']);
      await ok(['create', 'configmap', 'a2', '-n', 'team-a', '--from-literal=a=b']);
      assert.match(await ok(['delete', 'cm', '--all', '-n', 'team-a']), /configmap "a1" deleted\nconfigmap "a2" deleted/);
      const left = await k(['get', 'cm', '-n', 'team-a']);
      assert.match(left.out, /No resources found in team-a namespace/);
    });

    it('describes and explains', async () => {
      await ok(['run', 'web', '--image=busybox:1.36', '--labels=app=web']);
      assert.match(await ok(['get', 'pods']), /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+0\/1\s+Pending/);
      assert.match(await ok(['describe', 'pod', 'web']), /Containers:\n\s+web:\n\s+Image:\s+busybox:1.36/);
      assert.match(await ok(['explain', 'pod.spec']), /containers/);
      await ok(['debug', 'web', '--image=busybox:1.36', '-c', 'dbg', '--profile=general']);
      assert.equal(await ok(['get', 'pod', 'web', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}']), 'dbg');
    });

    it('serves custom resources as soon as their CRD exists', async () => {
      assert.match(await ok(['apply', '-f', '-'], crd), /created/);
      assert.match(await ok(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com', '--timeout=10s']), /condition met/);
      assert.match(await ok(['apply', '-f', '-'], 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: c1}\nspec: {cronSpec: "* * * * */5", replicas: 1}\n'), /crontab.stable.example.com\/c1 created/);
      assert.match(await ok(['get', 'ct']), /NAME\s+SPEC\nc1\s+\* \* \* \* \*\/5/);
      assert.match(await fails(['apply', '-f', '-'], 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: c2}\nspec: {replicas: -1}\n'), /is invalid: spec.replicas: Invalid value: -1/);
      assert.match(await ok(['patch', 'ct', 'c1', '--type=merge', '-p', '{"spec":{"replicas":2}}']), /patched/);
      assert.match(await ok(['api-resources', '--api-group=stable.example.com']), /crontabs\s+ct\s+stable.example.com\/v1\s+true\s+CronTab/);
      assert.match(await ok(['delete', 'crd', 'crontabs.stable.example.com']), /deleted/);
      await new Promise((r) => setTimeout(r, 300));
      assert.match(await fails(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs']), /NotFound|not find/);
    });

    it('accepts a CRD using the x-kubernetes-* schema extensions under strict field validation, and keeps unknown fields it preserves', async () => {
      const open = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.open.example.com}
spec:
  group: open.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
            x-kubernetes-validations: [{rule: "!has(self.size) || self.size >= 0", message: size must not be negative}]
            properties:
              size: {type: integer}
              port: {x-kubernetes-int-or-string: true}
              tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
`;
      assert.match(await ok(['apply', '-f', '-'], open), /created/);
      assert.match(await ok(['wait', '--for=condition=Established', 'crd/widgets.open.example.com', '--timeout=10s']), /condition met/);
      assert.match(await ok(['apply', '-f', '-'], 'apiVersion: open.example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {port: http, size: 3, nested: {a: b}}\nextra: kept\n'), /created/);
      assert.equal(await ok(['get', 'widget', 'w1', '-o', 'jsonpath={.spec.nested.a} {.spec.port} {.extra}']), 'b http kept');
      assert.match(await ok(['delete', 'crd', 'widgets.open.example.com']), /deleted/);
    });
  });
}

suite('embedded store', async () => ({}));
if (etcdAvailable()) {
  suite('real etcd', async () => {
    const e: StartedEtcd = await startEtcd();
    return { etcdServers: [e.endpoint], stop: () => e.stop() };
  });
}
