// The CRI runtime against a real containerd (root, containerd, runc, CNI plugins): sandboxes
// with their own IP and hostname, containers from an imported busybox image, CRI logs, exit
// codes, OOMKilled, cgroup limits, securityContext, exec (sync and streaming), image pull
// policies, graceful stop, and adoption by a new runtime instance (a kubelet restart).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../../../util/log.js';
import { until } from '../../../../test/helpers/until.js';
import { ImagePullError, type ContainerConfig, type PodSandboxConfig } from '../types.js';
import { CriRuntime } from './runtime.js';
import { buildBusyboxImage, criSkipReason, startTestContainerd, type TestContainerd } from './test-support.js';

const skip = criSkipReason();
const IMAGE = 'localhost/keelson-test/busybox:1';

describe('CriRuntime on containerd', { skip }, () => {
  let ctrd: TestContainerd;
  let rt: CriRuntime;
  let dir: string;
  let n = 0;
  const sandboxCfg = (name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => ({
    uid: `uid-${name}-${process.pid}`,
    name,
    namespace: 'default',
    nodeName: 'node-a',
    restartPolicy: 'Never',
    hostNetwork: false,
    logDirectory: join(dir, 'pods', `default_${name}`),
    ...extra,
  });
  const containerCfg = (sb: PodSandboxConfig, name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    name,
    image: IMAGE,
    command,
    args: [],
    env: [],
    attempt: 0,
    logPath: join(sb.logDirectory, name, `${extra.attempt ?? 0}.log`),
    ...extra,
  });
  const run = async (name: string, command: string[], extra: Partial<ContainerConfig> = {}, sbExtra: Partial<PodSandboxConfig> = {}) => {
    const sbc = sandboxCfg(`${name}-${++n}`, sbExtra);
    const sb = await rt.runPodSandbox(sbc);
    await rt.ensureImage(IMAGE, 'IfNotPresent');
    const cfg = containerCfg(sbc, name, command, extra);
    const id = await rt.createContainer(sb.id, cfg);
    await rt.startContainer(id);
    return { sb, sbc, id, cfg };
  };
  const exited = async (id: string) => {
    await until('the container to exit', async () => (await rt.containerStatus(id))?.state === 'exited', 20_000);
    return (await rt.containerStatus(id))!;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-crirt-'));
    ctrd = await startTestContainerd();
    buildBusyboxImage(join(dir, 'bb.tar'), IMAGE);
    ctrd.importImage(join(dir, 'bb.tar'));
    rt = await CriRuntime.connect({ endpoint: ctrd.endpoint, log: logger('test'), relistPeriodMs: 200 });
  });
  after(async () => {
    await rt?.close();
    await ctrd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports containerd as the runtime, version without the distribution suffix', () => {
    assert.equal(rt.runtimeName, 'containerd');
    assert.match(rt.runtimeVersion, /^\d+\.\d+\.\d+$/);
  });

  it('runs a container in a sandbox with its own IP and hostname; CRI log, exit code, Error reason', async () => {
    const { sb, id, cfg } = await run('hello', ['sh', '-c', 'echo "hello $(hostname)"; echo oops >&2; exit 3']);
    assert.match(sb.ip, /^10\.\d+\.\d+\.\d+$/);
    const s = await exited(id);
    assert.deepEqual([s.state, s.exitCode, s.reason, s.name, s.attempt], ['exited', 3, 'Error', 'hello', 0]);
    // containerd stamps startedAt when task start returns and finishedAt from the exit event, so a
    // process that exits at once can show finishedAt a millisecond or so before startedAt.
    assert.ok(s.startedAt > 0 && s.finishedAt > 0, `startedAt ${s.startedAt}, finishedAt ${s.finishedAt}`);
    assert.ok(Math.abs(s.finishedAt - s.startedAt) < 60_000, `startedAt ${s.startedAt}, finishedAt ${s.finishedAt}`);
    assert.equal(s.logPath, cfg.logPath);
    const lines = readFileSync(cfg.logPath, 'utf8').trimEnd().split('\n');
    assert.ok(lines.some((l) => /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d) stdout F hello hello-\d+$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => / stderr F oops$/.test(l)), lines.join('\n'));
  });

  it('exec: hostname is the pod name, the image has its own filesystem; streaming exec with exit code', async () => {
    const { id, sbc } = await run('sleeper', ['sleep', '3600']);
    await until('running', async () => (await rt.containerStatus(id))?.state === 'running');
    const h = await rt.exec(id, ['hostname'], 5);
    assert.deepEqual([h.exitCode, h.stdout.trim()], [0, sbc.name]);
    const os = await rt.exec(id, ['cat', '/etc/os-release'], 5);
    assert.notEqual(os.exitCode, 0);
    const missing = await rt.exec(id, ['no-such-binary'], 5);
    assert.notEqual(missing.exitCode, 0);
    const sess = rt.execStream(id, ['sh', '-c', 'echo out; echo err >&2; exit 5'], { stdin: false });
    let out = '';
    let err = '';
    sess.stdout.on('data', (d) => (out += d));
    sess.stderr.on('data', (d) => (err += d));
    assert.equal(await sess.exited, 5);
    assert.deepEqual([out, err], ['out\n', 'err\n']);
    const bad = rt.execStream(id, ['no-such-binary'], { stdin: false });
    assert.notEqual(await bad.exited, 0);
    await rt.stopContainer(id, 0);
  });

  it('applies memory and cpu limits; a memory hog over 16Mi is OOMKilled', async () => {
    const lim = await run('limited', ['sleep', '3600'], { resources: { memoryLimitBytes: 64 * 1024 * 1024, cpuRequestMilli: 250, cpuLimitMilli: 500 } });
    await until('running', async () => (await rt.containerStatus(lim.id))?.state === 'running');
    assert.equal((await rt.exec(lim.id, ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'], 5)).stdout.trim(), String(64 * 1024 * 1024));
    assert.equal((await rt.exec(lim.id, ['cat', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us'], 5)).stdout.trim(), '50000');
    assert.equal((await rt.exec(lim.id, ['cat', '/sys/fs/cgroup/cpu/cpu.shares'], 5)).stdout.trim(), '256');
    const stats = await rt.containerStats(lim.id);
    assert.ok(stats && stats.memoryWorkingSetBytes > 0, JSON.stringify(stats));
    await rt.stopContainer(lim.id, 0);
    const hog = await run('hog', ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'], { resources: { memoryLimitBytes: 16 * 1024 * 1024 } });
    await exited(hog.id);
    // containerd learns of the OOM kill from a cgroup event that may be handled after the task's
    // exit: until then its status reads Error (the kubelet's next relist sees the change).
    const oom = async () => (await rt.containerStatus(hog.id))?.reason === 'OOMKilled';
    await until('the OOM event', oom, 5_000).catch(() => undefined);
    const s = (await rt.containerStatus(hog.id))!;
    assert.deepEqual([s.reason, s.exitCode], ['OOMKilled', 137]);
  });

  it('securityContext: runAsUser/runAsGroup, readOnlyRootFilesystem, dropped capabilities', async () => {
    const { id } = await run('secure', ['sleep', '3600'], { securityContext: { runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false } });
    await until('running', async () => (await rt.containerStatus(id))?.state === 'running');
    assert.equal((await rt.exec(id, ['id', '-u'], 5)).stdout.trim(), '65534');
    assert.equal((await rt.exec(id, ['id', '-g'], 5)).stdout.trim(), '65534');
    assert.notEqual((await rt.exec(id, ['touch', '/x'], 5)).exitCode, 0);
    const caps = (await rt.exec(id, ['sh', '-c', 'grep CapBnd /proc/self/status'], 5)).stdout;
    assert.match(caps, /CapBnd:\s+0+$/m);
    await rt.stopContainer(id, 0);
  });

  it('image pull policies: Never and a missing image, a pull that fails', async () => {
    const present = await rt.ensureImage(IMAGE, 'Never');
    assert.match(present.ref, /^sha256:/);
    assert.equal(present.pulled, false);
    await assert.rejects(rt.ensureImage('localhost/keelson-test/missing:1', 'Never'), (e: unknown) => {
      assert.ok(e instanceof ImagePullError);
      assert.equal(e.reason, 'ErrImageNeverPull');
      assert.equal(e.message, 'Container image "localhost/keelson-test/missing:1" is not present with pull policy of Never');
      return true;
    });
    await assert.rejects(rt.ensureImage('127.0.0.1:1/keelson-test/missing:1', 'IfNotPresent'), (e: unknown) => {
      assert.ok(e instanceof ImagePullError);
      assert.equal(e.reason, 'ErrImagePull');
      assert.match(e.message, /^rpc error: code = \w+ desc = .*127\.0\.0\.1:1/);
      return true;
    });
  });

  it('stops with SIGTERM, then SIGKILL after the grace period; reports the exit via an event', async () => {
    const { id } = await run('stubborn', ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done']);
    await until('running', async () => (await rt.containerStatus(id))?.state === 'running');
    const t0 = Date.now();
    await rt.stopContainer(id, 1);
    const took = Date.now() - t0;
    const s = (await rt.containerStatus(id))!;
    assert.deepEqual([s.state, s.exitCode], ['exited', 137]);
    assert.ok(took >= 900 && took < 10_000, `killed after the grace period (${took} ms)`);
    const quick = await run('quick', ['sh', '-c', 'sleep 0.5']);
    const ev = new Promise<void>((resolve) => rt.onContainerEvent((_sb, c) => c === quick.id && resolve()));
    await ev;
    assert.equal((await rt.containerStatus(quick.id))!.exitCode, 0);
    await rt.removeContainer(quick.id);
    assert.equal(await rt.containerStatus(quick.id), undefined);
  });

  it('a new runtime instance (kubelet restart) adopts the running sandbox and container', async () => {
    const { sb, sbc, id, cfg } = await run('keeper', ['sleep', '3600']);
    await until('running', async () => (await rt.containerStatus(id))?.state === 'running');
    const before1 = (await rt.containerStatus(id))!;
    const rt2 = await CriRuntime.connect({ endpoint: ctrd.endpoint, log: logger('test') });
    try {
      const sb2 = await rt2.runPodSandbox(sbc);
      assert.deepEqual(sb2, sb);
      const id2 = await rt2.createContainer(sb2.id, { ...cfg, previousStartedAt: before1.startedAt });
      assert.equal(id2, id);
      await rt2.startContainer(id2);
      const after1 = (await rt2.containerStatus(id2))!;
      assert.deepEqual([after1.state, after1.startedAt], ['running', before1.startedAt]);
      await rt2.stopPodSandbox(sb2.id);
      await rt2.removePodSandbox(sb2.id);
      assert.equal(await rt2.containerStatus(id), undefined);
    } finally {
      await rt2.close();
    }
  });
});
