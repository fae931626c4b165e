// `keelson kubelet --runtime process`: containers are host processes. A Never-restart pod runs
// its command to completion (CRI-format log file with its output), a crashing container goes
// into CrashLoopBackOff with a growing restartCount, env comes from values, ConfigMaps, Secrets
// and the downward API, httpGet readiness and exec liveness probes work, and graceful deletion
// sends SIGTERM before the final delete. As root the pods run in network namespaces of their own
// (the default) on a pod network of the test's own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/etcd.js';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';
import { podNetnsByDefault, testPodNetwork } from '../helpers/pod-network.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const node = 'procnode';


describe('keelson kubelet --runtime process', () => {
  let api: TestApiServer;
  let child: ChildProcess;
  let rootDir: string;
  let logs = '';
  const net = testPodNetwork();
  const json = async (args: string[]) => {
    const r = await api.kubectl([...args, '-o', 'json']);
    assert.equal(r.code, 0, r.out);
    return JSON.parse(r.stdout);
  };
  const apply = async (obj: unknown) => {
    const r = await api.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    assert.equal(r.code, 0, r.out);
  };
  const logFile = async (pod: string, container: string, attempt = 0) => {
    const dir = (await readdir(join(rootDir, 'pods'))).find((d) => d.startsWith(`default_${pod}_`));
    assert.ok(dir, `log dir of ${pod}`);
    return readFile(join(rootDir, 'pods', dir, container, `${attempt}.log`), 'utf8');
  };

  before(async () => {
    api = await startTestApiServer();
    rootDir = await mkdtemp(join(tmpdir(), 'keelson-kubelet-'));
    child = spawn(bin, ['kubelet', '--kubeconfig', api.kubeconfig, '--hostname-override', node, '--runtime', 'process', '--port', '0', '--root-dir', rootDir, '--crash-loop-backoff-initial', '1s', '--node-status-update-frequency', '1s', ...net.kubeletArgs], {
      env: { ...process.env, KEELSON_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (logs += d));
    child.stderr!.on('data', (d) => (logs += d));
    await until('node Ready', async () => (await api.kubectl(['get', 'node', node])).stdout.includes(' Ready '), 20_000, () => logs);
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await api.stop();
    await net.cleanup(rootDir);
    await rm(rootDir, { recursive: true, force: true });
  });

  it('reports the host as the node (capacity from the host) and says how pods are networked', async () => {
    const n = await json(['get', 'node', node]);
    assert.ok(Number(n.status.capacity.cpu) >= 1);
    assert.match(n.status.capacity.memory, /^\d+Ki$/);
    assert.match(n.status.capacity['ephemeral-storage'], /^\d+Ki$/);
    assert.match(logs, podNetnsByDefault() ? /a network namespace per pod/ : /sharing the host network|share the host network/);
  });

  it('runs `kubectl run hello --restart=Never -- sh -c "echo hi"` to Succeeded with a CRI log', async () => {
    const r = await api.kubectl(['run', 'hello', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sh', '-c', 'echo hi']);
    assert.equal(r.code, 0, r.out);
    await until('Succeeded', async () => (await api.kubectl(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded', 15_000, () => logs);
    const text = await logFile('hello', 'hello');
    assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hi\n$/);
    const pod = await json(['get', 'pod', 'hello']);
    assert.deepEqual(pod.status.containerStatuses[0].state.terminated.exitCode, 0);
    assert.match(logs, /the image is ignored/);
  });

  it('reports a non-zero exit as Failed/Error for restartPolicy Never', async () => {
    await api.kubectl(['run', 'fail', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sh', '-c', 'echo bad >&2; exit 3']);
    await until('Failed', async () => (await api.kubectl(['get', 'pod', 'fail', '-o', 'jsonpath={.status.phase}'])).stdout === 'Failed', 15_000, () => logs);
    const t = (await json(['get', 'pod', 'fail'])).status.containerStatuses[0].state.terminated;
    assert.deepEqual([t.exitCode, t.reason], [3, 'Error']);
    assert.match(await logFile('fail', 'fail'), / stderr F bad\n/);
  });

  it('backs off a crashing container: CrashLoopBackOff, restartCount growing, lastState Error', async () => {
    const r = await api.kubectl(['run', 'crash', '--image=busybox', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sh', '-c', 'exit 1']);
    assert.equal(r.code, 0, r.out);
    const cs = await until(
      'CrashLoopBackOff with restarts',
      async () => {
        const s = (await json(['get', 'pod', 'crash'])).status?.containerStatuses?.[0];
        return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s.restartCount >= 2 && s;
      },
      20_000,
      () => logs,
    );
    assert.match(cs.state.waiting.message, /^back-off \d+s restarting failed container=crash pod=crash_default\(/);
    assert.deepEqual([cs.lastState.terminated.exitCode, cs.lastState.terminated.reason], [1, 'Error']);
    assert.match((await api.kubectl(['get', 'pod', 'crash'])).stdout, /crash\s+0\/1\s+(CrashLoopBackOff|Error)\s+\d/);
    const first = cs.restartCount;
    await until('restartCount grows', async () => (await json(['get', 'pod', 'crash'])).status.containerStatuses[0].restartCount > first, 15_000);
    const events = await json(['get', 'events', '--field-selector', 'involvedObject.name=crash']);
    const reasons = new Set(events.items.map((e: any) => `${e.type}/${e.reason}`));
    for (const r of ['Normal/Created', 'Normal/Started', 'Warning/BackOff']) assert.ok(reasons.has(r), `event ${r} in ${[...reasons].join(', ')}`);
  });

  it('builds env from values, ConfigMaps, Secrets and the downward API', async () => {
    assert.equal((await api.kubectl(['create', 'configmap', 'cfg', '--from-literal=color=blue'])).code, 0);
    assert.equal((await api.kubectl(['create', 'secret', 'generic', 'sec', '--from-literal=pass=s3cret'])).code, 0);
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'envpod', labels: { app: 'envy' } },
      spec: {
        nodeName: node,
        restartPolicy: 'Never',
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', 'echo "$GREETING $COLOR $PASS $POD $NS $APP"'],
            env: [
              { name: 'NAME', value: 'world' },
              { name: 'GREETING', value: 'hello-$(NAME)' },
              { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
              { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'pass' } } },
              { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
            ],
          },
        ],
      },
    });
    await until('Succeeded', async () => (await api.kubectl(['get', 'pod', 'envpod', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded', 15_000, () => logs);
    assert.match(await logFile('envpod', 'c'), / stdout F hello-world blue s3cret envpod default envy\n/);
  });

  it('reports CreateContainerConfigError for a missing ConfigMap', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nocfg' },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '30'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }] }] },
    });
    const w = await until('CreateContainerConfigError', async () => {
      const s = (await json(['get', 'pod', 'nocfg'])).status?.containerStatuses?.[0]?.state?.waiting;
      return s?.reason === 'CreateContainerConfigError' && s;
    });
    assert.equal(w.message, 'configmap "missing" not found');
  });

  it('gates Ready on an httpGet readiness probe and restarts on a failing exec liveness probe', async () => {
    const port = await freePort();
    const server = `require('http').createServer((q,s)=>s.end('ok')).listen(${port})`;
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probed' },
      spec: {
        nodeName: node,
        containers: [
          {
            name: 'web',
            image: 'node',
            command: [process.execPath, '-e', `setTimeout(()=>{${server}}, 1500)`],
            ports: [{ name: 'http', containerPort: port }],
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
            livenessProbe: { exec: { command: ['sh', '-c', 'test ! -e /nonexistent-keelson'] }, periodSeconds: 1 },
          },
          {
            name: 'sick',
            image: 'busybox',
            command: ['sleep', '300'],
            readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 },
            livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      },
    });
    await until('web ready', async () => (await json(['get', 'pod', 'probed'])).status?.containerStatuses?.find((c: any) => c.name === 'web')?.ready === true, 20_000, () => logs);
    const st = await until('sick restarted by liveness', async () => {
      const s = (await json(['get', 'pod', 'probed'])).status.containerStatuses.find((c: any) => c.name === 'sick');
      return s.restartCount >= 1 && s;
    }, 20_000, () => logs);
    assert.equal(st.ready, false);
    const ready = (await json(['get', 'pod', 'probed'])).status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(ready.status, 'False');
    assert.match(ready.message, /containers with unready status: \[sick\]/);
  });

  it('probes over gRPC: a SERVING startup probe passes, a NOT_SERVING readiness probe keeps the pod unready with its Unhealthy event', async () => {
    const port = await freePort();
    const grpcJs = JSON.stringify(createRequire(import.meta.url).resolve('@grpc/grpc-js'));
    // A gRPC health server: "" is SERVING, "db" NOT_SERVING (HealthCheckResponse.status = field 1).
    const server = `const g=require(${grpcJs});const s=new g.Server();s.addService({Check:{path:'/grpc.health.v1.Health/Check',requestStream:false,responseStream:false,requestDeserialize:b=>({service:b.subarray(2).toString()}),responseSerialize:r=>Buffer.from([8,r.status])}},{Check:(c,cb)=>cb(null,{status:c.request.service==='db'?2:1})});s.bindAsync('0.0.0.0:${port}',g.ServerCredentials.createInsecure(),()=>{})`;
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'grpcprobed' },
      spec: {
        nodeName: node,
        containers: [
          {
            name: 'svc',
            image: 'node',
            command: [process.execPath, '-e', server],
            startupProbe: { grpc: { port }, periodSeconds: 1, failureThreshold: 30 },
            readinessProbe: { grpc: { port, service: 'db' }, periodSeconds: 1 },
          },
        ],
      },
    });
    const st = await until('started by the grpc startup probe', async () => (await json(['get', 'pod', 'grpcprobed'])).status?.containerStatuses?.find((c: any) => c.started), 20_000, () => logs);
    assert.equal(st.ready, false);
    const ev = await until('an Unhealthy event from the readiness probe', async () => {
      const items = (await json(['get', 'events', '--field-selector', 'involvedObject.name=grpcprobed,reason=Unhealthy'])).items;
      return items.find((e: any) => e.message.startsWith('Readiness probe failed'));
    }, 20_000, () => logs);
    assert.equal(ev.message, 'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")');
    assert.equal(ev.type, 'Warning');
    assert.equal((await json(['get', 'pod', 'grpcprobed'])).status.containerStatuses[0].ready, false);
    assert.equal((await api.kubectl(['delete', 'pod', 'grpcprobed', '--grace-period=0', '--force'])).code, 0);
  });

  it('admits pods bound by hand as the kubelet does: OutOfcpu is rejected, a label added after registration is seen', async () => {
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'toobig' }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '30'], resources: { requests: { cpu: '1000' } } }] } });
    const st = await until('rejected', async () => {
      const s = (await json(['get', 'pod', 'toobig'])).status;
      return s?.phase === 'Failed' && s;
    }, 15_000, () => logs);
    assert.equal(st.reason, 'OutOfcpu');
    assert.match(st.message, /^Pod was rejected: Node didn't have enough resource: cpu, requested: 1000000, used: \d+, capacity: \d+$/);
    assert.equal(st.containerStatuses, undefined, 'nothing ran');
    assert.match((await api.kubectl(['get', 'pod', 'toobig'])).stdout, /toobig\s+0\/1\s+OutOfcpu\s+0/);
    const ev = await until('the OutOfcpu event', async () => (await json(['get', 'events', '--field-selector', 'involvedObject.name=toobig,reason=OutOfcpu'])).items[0], 10_000);
    assert.equal(ev.type, 'Warning');
    // The node read its labels at registration; one added since is found by reading it again.
    assert.equal((await api.kubectl(['label', 'node', node, 'keelson-test/admit=yes'])).code, 0);
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'selected' }, spec: { nodeName: node, nodeSelector: { 'keelson-test/admit': 'yes' }, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '30'] }] } });
    await until('selected Running', async () => (await json(['get', 'pod', 'selected'])).status?.phase === 'Running', 15_000, () => logs);
    for (const p of ['toobig', 'selected']) assert.equal((await api.kubectl(['delete', 'pod', p, '--grace-period=0', '--force'])).code, 0);
    await api.kubectl(['label', 'node', node, 'keelson-test/admit-']);
  });

  it('runs postStart and preStop exec hooks (preStop before SIGTERM)', async () => {
    const mark = join(rootDir, 'hooks.txt');
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hooked' },
      spec: {
        nodeName: node,
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', `trap "echo term >> ${mark}; exit 0" TERM; while true; do sleep 0.1; done`],
            lifecycle: { postStart: { exec: { command: ['sh', '-c', `echo poststart >> ${mark}`] } }, preStop: { exec: { command: ['sh', '-c', `echo prestop >> ${mark}`] } } },
          },
        ],
      },
    });
    await until('Running', async () => /hooked\s+1\/1\s+Running/.test((await api.kubectl(['get', 'pod', 'hooked'])).stdout), 15_000, () => logs);
    assert.equal(await readFile(mark, 'utf8'), 'poststart\n');
    assert.equal((await api.kubectl(['delete', 'pod', 'hooked', '--timeout=20s'])).code, 0);
    assert.equal(await readFile(mark, 'utf8'), 'poststart\nprestop\nterm\n');
  });

  it('deletes gracefully: SIGTERM reaches the process, then the pod object is removed', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'graceful' },
      spec: { nodeName: node, terminationGracePeriodSeconds: 10, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'trap "echo got TERM; exit 0" TERM; echo up; while true; do sleep 0.1; done'] }] },
    });
    await until('Running', async () => /graceful\s+1\/1\s+Running/.test((await api.kubectl(['get', 'pod', 'graceful'])).stdout), 15_000, () => logs);
    const r = await api.kubectl(['delete', 'pod', 'graceful', '--timeout=20s']);
    assert.equal(r.code, 0, r.out);
    assert.notEqual((await api.kubectl(['get', 'pod', 'graceful'])).code, 0);
    assert.match(await logFile('graceful', 'c'), / stdout F got TERM\n/);
  });

  it('a deleted pod ends in a terminal phase before it goes: watchers see Failed/143 Error (or Succeeded/0)', async () => {
    const pod = (name: string, command: string[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 10, containers: [{ name: 'c', image: 'busybox', command }] } });
    await apply(pod('keelson-killed', ['sleep', '300']));
    await apply(pod('keelson-clean', ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done']));
    for (const name of ['keelson-killed', 'keelson-clean']) await until(`${name} Running`, async () => (await api.kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 15_000, () => logs);
    const events = (name: string) =>
      api.kubectl(['get', 'pod', name, '-w', '--output-watch-events', '-o', 'jsonpath={.type} {.object.status.phase} {.object.status.containerStatuses[0].state.terminated.exitCode} {.object.status.containerStatuses[0].state.terminated.reason} {.object.status.conditions[?(@.type=="Ready")].status}{"\\n"}'], { timeoutMs: 6_000 });
    const watches = [events('keelson-killed'), events('keelson-clean')];
    await new Promise((r) => setTimeout(r, 1000));
    const r = await api.kubectl(['delete', 'pod', 'keelson-killed', 'keelson-clean', '--timeout=20s']);
    assert.equal(r.code, 0, r.out);
    const [killed, clean] = await Promise.all(watches);
    assert.match(killed.stdout, /^MODIFIED Failed 143 Error False\nDELETED Failed 143 Error False\n/m, killed.out);
    assert.match(clean.stdout, /^MODIFIED Succeeded 0 Completed False\nDELETED Succeeded 0 Completed False\n/m, clean.out);
  });
});
