// The kubelet server's GET /pods against `keelson server --runtime process`: the PodList of the
// pods the kubelet runs, for the apiserver's kubelet client certificate (nodes/proxy); 401
// without a certificate and 403 for the node's own certificate, as the real kubelet.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const node = 'keelson-pods-node';

describe('kubelet server /pods', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-kubelet-pods-'));
  let srv: TestServer | undefined;
  let kubectl: ReturnType<typeof kubectlWith>;

  before(async () => {
    // A static pod: /pods shows it with the status the kubelet computed, even before the API has it.
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'manifests', 'static-sleeper.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: static-sleeper, namespace: default}\nspec:\n  containers: [{name: c, image: busybox, command: [sleep, "300"]}]\n');
    srv = await startTestServer({ dir, node, args: ['--runtime', 'process'] });
    kubectl = srv.kubectl;
  });
  after(async () => {
    await srv?.stop();
  });

  it('lists the running pods as a v1 PodList, authorized as nodes/proxy', async () => {
    const r = await kubectl(['run', 'sleeper', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sleep', '300']);
    assert.equal(r.code, 0, r.out);
    await until('sleeper Running', async () => (await kubectl(['get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 20_000);
    const port = Number((await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}'])).stdout);
    const address = (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).stdout;
    const get = (o: { cert?: string; key?: string }) =>
      new Promise<{ status: number; type?: string; body: string }>((resolve, reject) => {
        const req = httpsGet({ host: address, port, path: '/pods', rejectUnauthorized: false, agent: false, ...o }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
        });
        req.on('error', reject);
      });
    assert.equal((await get({})).status, 401);
    const pki = join(dir, 'pki');
    const pair = (n: string) => ({ cert: readFileSync(join(pki, `${n}.crt`), 'utf8'), key: readFileSync(join(pki, `${n}.key`), 'utf8') });
    const denied = await get(pair('kubelet'));
    assert.equal(denied.status, 403, denied.body);
    assert.match(denied.body, new RegExp(`Forbidden \\(user=system:node:${node}, verb=get, resource=nodes, subresource=proxy\\)`));
    const ok = await get(pair('apiserver-kubelet-client'));
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.type, 'application/json');
    const list = JSON.parse(ok.body) as { kind: string; apiVersion: string; items: { kind: string; metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string> }; spec: { nodeName: string }; status?: { phase?: string } }[] };
    assert.equal(list.kind, 'PodList');
    assert.equal(list.apiVersion, 'v1');
    const pod = list.items.find((p) => p.metadata.name === 'sleeper');
    assert.ok(pod, `sleeper in ${list.items.map((p) => p.metadata.name).join(',')}\n${srv!.output()}`);
    assert.equal(pod.kind, 'Pod');
    assert.equal(pod.metadata.namespace, 'default');
    assert.equal(pod.spec.nodeName, node);
    const uid = (await kubectl(['get', 'pod', 'sleeper', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    assert.equal(pod.metadata.uid, uid);
    assert.equal(pod.status?.phase, 'Running');
    const st = list.items.find((p) => p.metadata.name === `static-sleeper-${node}`);
    assert.ok(st, ok.body);
    assert.equal(st.metadata.annotations?.['kubernetes.io/config.source'], 'file');
    assert.equal(st.metadata.uid, st.metadata.annotations?.['kubernetes.io/config.hash']);
    assert.equal(st.status?.phase, 'Running');
    // Gone from the list once deleted and stopped.
    assert.equal((await kubectl(['delete', 'pod', 'sleeper', '--grace-period=1', '--wait=true'])).code, 0);
    const after = JSON.parse((await get(pair('apiserver-kubelet-client'))).body) as { items: { metadata: { name: string } }[] };
    assert.ok(!after.items.some((p) => p.metadata.name === 'sleeper'), ok.body);
  });
});
