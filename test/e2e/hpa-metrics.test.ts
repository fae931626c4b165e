// Resource metrics and the HorizontalPodAutoscaler with the real kubectl against
// `keelson server --runtime process`: the kubelet's /stats/summary (authorized as nodes/stats),
// metrics.k8s.io served by the apiserver (`kubectl top nodes|pods`), and an HPA scaling a
// deployment whose pods use more CPU than their (tiny) request, with kube's event message
// (--horizontal-pod-autoscaler-sync-period 3s, short behavior windows).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/etcd.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';
import { testPodNetwork } from '../helpers/pod-network.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
// Process pods get network namespaces (as root): on a pod network of this test's own.
const net = testPodNetwork();
const node = 'keelson-hpa-node';

// A shell loop that wakes 5 times a second for a short count: about 1% of a core, far above a
// 2m request, yet light on a shared machine.
const burner = 'while :; do i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; sleep 0.2; done';
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: burn}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn}}
    spec:
      nodeName: ${node}
      terminationGracePeriodSeconds: 1
      containers:
      - name: burn
        image: busybox
        command: [sh, -c, '${burner}']
        resources: {requests: {cpu: 2m, memory: 1Mi}}
`;
const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: burn}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Pods, value: 1, periodSeconds: 1}]}
    scaleDown: {stabilizationWindowSeconds: 5}
`;

describe('resource metrics and the HorizontalPodAutoscaler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-hpa-'));
  let proc: ChildProcess;
  let kubectl: ReturnType<typeof kubectlWith>;
  let output = '';

  before(async () => {
    const port = await freePort();
    proc = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(port), '--runtime', 'process', ...net.serverArgs, '--node-name', node, '--etcd-listen-client-urls', '', '--horizontal-pod-autoscaler-sync-period', '3s'], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    await until('admin.kubeconfig', async () => existsSync(join(dir, 'admin.kubeconfig')), 20_000);
    kubectl = kubectlWith({ kubeconfig: join(dir, 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
    await until('a Ready node', async () => new RegExp(`${node}\\s+Ready`).test((await kubectl(['get', 'nodes'])).stdout), 20_000);
    await until('default service account', async () => (await kubectl(['get', 'sa', 'default'])).code === 0);
  });
  after(async () => {
    await kubectl?.(['delete', 'deployment', 'burn', '--wait=false']);
    proc?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    proc?.kill('SIGKILL');
    await net.cleanup(join(dir, 'kubelet'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the kubelet serves /stats/summary to the apiserver (nodes/stats), not to the node itself', async () => {
    const port = Number((await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}'])).stdout);
    const address = (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).stdout;
    const pki = join(dir, 'pki');
    const get = (who: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const cert = { cert: readFileSync(join(pki, `${who}.crt`), 'utf8'), key: readFileSync(join(pki, `${who}.key`), 'utf8') };
        const req = httpsGet({ host: address, port, path: '/stats/summary', rejectUnauthorized: false, agent: false, ...cert }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
      });
    const denied = await get('kubelet');
    assert.equal(denied.status, 403, denied.body);
    assert.match(denied.body, /subresource=stats/);
    const ok = await get('apiserver-kubelet-client');
    assert.equal(ok.status, 200, ok.body);
    const s = JSON.parse(ok.body);
    assert.equal(s.node.nodeName, node);
    assert.ok(s.node.cpu.usageCoreNanoSeconds > 0 && s.node.memory.workingSetBytes > 0, ok.body);
    assert.ok(Array.isArray(s.pods));
  });

  it('kubectl top nodes and kubectl top pods', async () => {
    const r = await kubectl(['apply', '-f', '-'], { input: deployment });
    assert.equal(r.code, 0, r.out);
    await until('a running burn pod', async () => /Running/.test((await kubectl(['get', 'pods', '-l', 'app=burn'])).stdout), 30_000);
    const nodes = await kubectl(['top', 'nodes']);
    assert.equal(nodes.code, 0, nodes.out);
    assert.match(nodes.stdout, /NAME\s+CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)/);
    assert.match(nodes.stdout, new RegExp(`${node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`));
    let top = { code: 1, stdout: '', out: '' } as Awaited<ReturnType<typeof kubectl>>;
    await until('kubectl top pods lists the pod', async () => {
      top = await kubectl(['top', 'pods', '-l', 'app=burn', '--containers']);
      return top.code === 0 && /burn-\S+\s+burn\s+\d+m\s+\d+Mi/.test(top.stdout);
    }, 30_000).catch(() => assert.fail(top.out + output));
    const raw = await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods']);
    const list = JSON.parse(raw.stdout);
    assert.equal(list.kind, 'PodMetricsList');
    assert.match(list.items[0].containers[0].usage.cpu, /^\d+n$/);
    // Viewers may read metrics (system:aggregated-metrics-reader is aggregated into view).
    const sa = ['--as', 'system:serviceaccount:default:default'];
    assert.match((await kubectl(['top', 'pods', ...sa])).stderr, /forbidden/);
    assert.equal((await kubectl(['create', 'rolebinding', 'viewers', '--clusterrole=view', '--serviceaccount=default:default'])).code, 0);
    await until('a viewer runs kubectl top pods', async () => (await kubectl(['top', 'pods', ...sa])).code === 0, 10_000);
    const missing = await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope']);
    assert.match(missing.stderr, /podmetrics.metrics.k8s.io "default\/nope" not found/);
  });

  it('an HPA scales the deployment up when cpu usage is above the target', async () => {
    const r = await kubectl(['apply', '-f', '-'], { input: hpa });
    assert.equal(r.code, 0, r.out);
    await until('the deployment scaled up', async () => Number((await kubectl(['get', 'deploy', 'burn', '-o', 'jsonpath={.spec.replicas}'])).stdout) >= 2, 60_000).catch(async () => assert.fail((await kubectl(['describe', 'hpa', 'burn'])).out + output));
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events.stdout, /New size: [23]; reason: cpu resource utilization \(percentage of request\) above target/);
    const status = JSON.parse((await kubectl(['get', 'hpa.v2.autoscaling', 'burn', '-o', 'json'])).stdout).status;
    const cond = (t: string) => status.conditions.find((c: { type: string }) => c.type === t);
    assert.equal(cond('AbleToScale').status, 'True');
    assert.equal(cond('ScalingActive').status, 'True');
    assert.equal(cond('ScalingActive').reason, 'ValidMetricFound');
    assert.ok(status.currentMetrics[0].resource.current.averageUtilization > 50, JSON.stringify(status));
    assert.ok(status.lastScaleTime);
    const get = await kubectl(['get', 'hpa', 'burn']);
    assert.match(get.stdout, /burn\s+Deployment\/burn\s+cpu: \d+%\/50%\s+1\s+3\s+\d/);
  });

  it('the HPA scales down once the stabilization window has passed', async () => {
    // A target far above the usage: the recommendation drops to minReplicas.
    const r = await kubectl(['patch', 'hpa', 'burn', '--type=merge', '-p', '{"spec":{"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":100000}}}]}}']);
    assert.equal(r.code, 0, r.out);
    await until('scaled down to 1', async () => (await kubectl(['get', 'deploy', 'burn', '-o', 'jsonpath={.spec.replicas}'])).stdout === '1', 60_000).catch(async () => assert.fail((await kubectl(['describe', 'hpa', 'burn'])).out));
    const events = await kubectl(['get', 'events', '--field-selector', 'reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events.stdout, /New size: 1; reason: All metrics below target/);
  });

  it('autoscaling/v1 reads the same HPA with currentCPUUtilizationPercentage', async () => {
    const v1 = JSON.parse((await kubectl(['get', 'horizontalpodautoscalers.v1.autoscaling', 'burn', '-o', 'json'])).stdout);
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.ok(v1.status.currentCPUUtilizationPercentage > 50, JSON.stringify(v1.status));
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 100000);
  });

  it('Pods metrics need a custom metrics API: ScalingActive False (FailedGetPodsMetric), no scaling', async () => {
    assert.equal((await kubectl(['create', 'deployment', 'idle', '--image=busybox', '--', 'sleep', '3600'])).code, 0);
    const custom = 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: idle}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: idle}\n  maxReplicas: 2\n  metrics:\n  - type: Pods\n    pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "10"}}\n';
    assert.equal((await kubectl(['apply', '-f', '-'], { input: custom })).code, 0);
    let active: { status?: string; reason?: string; message?: string } | undefined;
    await until('the ScalingActive condition', async () => {
      const st = JSON.parse((await kubectl(['get', 'hpa.v2.autoscaling', 'idle', '-o', 'json'])).stdout).status;
      active = st?.conditions?.find((c: { type: string }) => c.type === 'ScalingActive');
      return !!active;
    }, 20_000);
    assert.deepEqual([active!.status, active!.reason], ['False', 'FailedGetPodsMetric']);
    assert.equal((await kubectl(['get', 'deploy', 'idle', '-o', 'jsonpath={.spec.replicas}'])).stdout, '1');
    await kubectl(['delete', 'deployment', 'idle', '--wait=false']);
  });

  it('an HPA whose target is missing: AbleToScale False (FailedGetScale) and a warning event', async () => {
    const ghost = 'apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: ghost}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}, maxReplicas: 2, targetCPUUtilizationPercentage: 50}\n';
    assert.equal((await kubectl(['apply', '-f', '-'], { input: ghost })).code, 0);
    let cond: { status?: string; reason?: string; message?: string } | undefined;
    await until('the FailedGetScale condition', async () => {
      const st = JSON.parse((await kubectl(['get', 'hpa.v2.autoscaling', 'ghost', '-o', 'json'])).stdout).status;
      cond = st?.conditions?.find((c: { type: string }) => c.type === 'AbleToScale');
      return !!cond;
    }, 20_000);
    assert.equal(cond!.status, 'False');
    assert.equal(cond!.reason, 'FailedGetScale');
    assert.match(cond!.message!, /^the HPA controller was unable to get the target's current scale: deployments.apps "ghost" not found/);
    await until('the FailedGetScale event', async () => /deployments.apps "ghost" not found/.test((await kubectl(['get', 'events', '--field-selector', 'reason=FailedGetScale', '-o', 'jsonpath={.items[*].message}'])).stdout), 20_000);
  });
});
