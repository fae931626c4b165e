// The node's containerd as keelson supervises it (root only): starts under a temp data dir and
// answers, imports the offline pause image, runs a pod sandbox on the keelson CNI network and a
// container from an image loaded with `keelson images import`, pulls from a local registry over
// the OCI distribution API, and leaves no process, mount, link or directory behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../test/helpers/etcd.js';
import { until } from '../../../../test/helpers/until.js';
import { busyboxImage, httpdImage, PAUSE_IMAGE } from '../../images/builtin-images.js';
import { hasImage } from '../../images/import.js';
import { ociArchive, sha256 } from '../../images/oci-build.js';
import { startRegistry, registryAvailable, type RunningRegistry } from '../../images/registry.js';
import { pushImage } from '../../images/registry-push.js';
import { writeTar } from '../../images/tar.js';
import { CriClient } from './client.js';
import { removePodNetwork, writePodNetworkConfig } from './cni-config.js';
import { containerdAvailable, containerdPaths, mountsUnder, startContainerd, type RunningContainerd } from './containerd.js';
import { ctr } from './ctr.js';

const avail = containerdAvailable();
const skip = avail.ok ? (registryAvailable() ? false : 'skipped: docker-registry is not installed (scripts/install-deps.sh)') : `skipped: ${avail.reason}`;
const repo = join(import.meta.dirname, '..', '..', '..', '..');

/** A docker-archive (`docker save`) of busybox, to check that format imports too. */
function dockerArchive(ref: string): Buffer {
  const img = busyboxImage(ref);
  const layer = img.layers[0].data;
  const cfgName = `${img.config.digest.slice(7)}.json`;
  return writeTar([
    { path: cfgName, type: 'file', data: img.config.data },
    { path: 'layer.tar.gz', type: 'file', data: layer },
    { path: 'manifest.json', type: 'file', data: Buffer.from(JSON.stringify([{ Config: cfgName, RepoTags: [ref], Layers: ['layer.tar.gz'] }])) },
  ]);
}

const processesOf = (needle: string) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    });

describe('containerd supervised by keelson', { skip }, () => {
  const id = randomBytes(2).toString('hex');
  const bridge = `kt${id}`;
  const podCIDR = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2), 16)}.0/24`;
  let dir: string;
  let c: RunningContainerd;
  let reg: RunningRegistry;
  let regHost: string;
  const net = () => ({ confDir: join(dir, 'cni', 'net.d'), bridge, network: `keelson-t${id}`, ipamDataDir: join(dir, 'cni', 'networks') });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-ctrd-'));
    const port = await freePort();
    regHost = `127.0.0.1:${port}`;
    reg = await startRegistry({ dir: join(dir, 'registry'), port });
    writePodNetworkConfig({ ...net(), podCIDR });
    c = await startContainerd({ dataDir: join(dir, 'containerd'), cniConfDir: net().confDir, insecureRegistries: [regHost], logLevel: 'warn' });
  });

  after(async () => {
    await c?.stop({ purge: true });
    await reg?.stop();
    removePodNetwork(net());
    // Nothing of this containerd is left: processes (daemon, shims), mounts, the bridge.
    const left = processesOf(join(dir, 'containerd'));
    const mounts = mountsUnder(dir);
    const link = spawnSync('ip', ['link', 'show', bridge]).status === 0;
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(left, [], 'processes left behind');
    assert.deepEqual(mounts, [], 'mounts left behind');
    assert.equal(link, false, `bridge ${bridge} left behind`);
  });

  it('answers on a socket under its data dir, with the CRI plugin configured', async () => {
    assert.equal(c.address, join(dir, 'containerd', 'containerd.sock'));
    assert.equal(c.endpoint, `unix://${c.address}`);
    const v = await ctr(c.address, ['version']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /Server:\s+Version:\s+\S+/);
    const config = readFileSync(containerdPaths(join(dir, 'containerd')).config, 'utf8');
    for (const want of ['restrict_oom_score_adj = true', `sandbox_image = "${PAUSE_IMAGE}"`, 'SystemdCgroup = false', 'bin_dir = "/usr/lib/cni"', `conf_dir = "${net().confDir}"`])
      assert.ok(config.includes(want), want);
    assert.ok(readFileSync(join(dir, 'containerd', 'certs.d', regHost, 'hosts.toml'), 'utf8').includes(`[host."http://${regHost}"]`));
  });

  it('has the pause image, imported offline at start', async () => {
    assert.equal(await hasImage(c.address, PAUSE_IMAGE), true);
  });

  it('a second containerd runs beside it without sharing anything', async () => {
    const d2 = join(dir, 'second');
    const c2 = await startContainerd({ dataDir: d2, cniConfDir: join(d2, 'net.d') });
    try {
      assert.notEqual(c2.address, c.address);
      assert.equal((await ctr(c2.address, ['version'])).code, 0);
      assert.equal((await ctr(c.address, ['version'])).code, 0);
    } finally {
      await c2.stop({ purge: true });
    }
    assert.equal(existsSync(c2.address), false);
    assert.deepEqual(processesOf(d2), []);
  });

  it('a restart replaces a containerd left running by a crashed keelson; purge then tears the pods down', async () => {
    const d3 = join(dir, 'third');
    const net3 = { confDir: join(d3, 'net.d'), bridge: `kr${id}`, network: `keelson-r${id}` };
    writePodNetworkConfig({ ...net3, podCIDR: `10.251.${parseInt(id.slice(2), 16)}.0/24` });
    const first = await startContainerd({ dataDir: d3, cniConfDir: net3.confDir, logLevel: 'warn' });
    const cri = new CriClient(first.endpoint, 30_000);
    const hostPort = await freePort();
    await cri.runtime('RunPodSandbox', {
      config: { metadata: { name: 'r', uid: `r-${id}`, namespace: 'default', attempt: 0 }, hostname: 'r', log_directory: join(d3, 'logs'), port_mappings: [{ protocol: 'TCP', container_port: 80, host_port: hostPort }], linux: {} },
    });
    cri.close();
    const rules = () => spawnSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(net3.network));
    assert.ok(rules().length > 0, 'the sandbox has masquerade and hostPort rules');
    // No stop(): as if keelson had been killed. The next start stops the old daemon first.
    const again = await startContainerd({ dataDir: d3, cniConfDir: net3.confDir, logLevel: 'warn' });
    try {
      assert.notEqual(again.pid, first.pid);
      assert.throws(() => process.kill(first.pid, 0), /ESRCH/);
      assert.equal((await ctr(again.address, ['version'])).code, 0);
    } finally {
      await again.stop({ purge: true });
    }
    assert.deepEqual(processesOf(d3), []);
    assert.deepEqual(mountsUnder(d3), []);
    assert.deepEqual(rules(), [], 'CNI rules left behind');
    assert.equal(removePodNetwork(net3), true);
  });

  it('keeps socket paths within the unix socket limit', () => {
    const long = join('/var/tmp', 'x'.repeat(120));
    const p = containerdPaths(long);
    assert.ok(p.address.length + '.ttrpc'.length < 108, p.address);
    assert.match(p.address, /^\/run\/keelson\/containerd-[0-9a-f]{12}\.sock$/);
    assert.equal(containerdPaths(long).address, p.address);
    assert.notEqual(containerdPaths(long + 'y').address, p.address);
    assert.equal(p.root, join(long, 'root'));
  });

  it('`keelson images import --data-dir` loads OCI and docker archives into k8s.io', async () => {
    const oci = join(dir, 'bb.tar');
    writeFileSync(oci, ociArchive([busyboxImage('localhost/bars/busybox:1')]));
    const docker = join(dir, 'bb-docker.tar');
    writeFileSync(docker, dockerArchive('localhost/bars/docker-busybox:2'));
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'keelson'), 'images', 'import', '--data-dir', dir, oci, docker], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^imported localhost\/bars\/busybox:1$/m);
    assert.match(r.stdout, /^imported localhost\/bars\/docker-busybox:2$/m);
    const ls = await ctr(c.address, ['images', 'ls', '-q'], { namespace: 'k8s.io' });
    assert.ok(ls.stdout.split('\n').includes('localhost/bars/busybox:1'), ls.stdout);
    assert.ok(ls.stdout.split('\n').includes('localhost/bars/docker-busybox:2'), ls.stdout);
  });

  it('runs a pod sandbox on the keelson network (its IP, hostPort) and a container of the imported image', async () => {
    const cri = new CriClient(c.endpoint, 60_000);
    const hostPort = await freePort();
    try {
      const status = await cri.runtime('Status', {});
      const conds = Object.fromEntries((status.status.conditions as Array<{ type: string; status: boolean }>).map((x) => [x.type, x.status]));
      assert.deepEqual(conds, { RuntimeReady: true, NetworkReady: true });
      const logDir = join(dir, 'pods', 'p1');
      const config = {
        metadata: { name: 'p1', uid: `uid-${id}`, namespace: 'default', attempt: 0 },
        hostname: 'p1',
        log_directory: logDir,
        port_mappings: [{ protocol: 'TCP', container_port: 8080, host_port: hostPort }],
        linux: { security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
      };
      const { pod_sandbox_id: sb } = await cri.runtime('RunPodSandbox', { config });
      const st = await cri.runtime('PodSandboxStatus', { pod_sandbox_id: sb });
      const ip: string = st.status.network.ip;
      assert.equal(ip.split('.').slice(0, 3).join('.'), podCIDR.split('.').slice(0, 3).join('.'), `pod IP ${ip} not in ${podCIDR}`);
      const { container_id: cid } = await cri.runtime('CreateContainer', {
        pod_sandbox_id: sb,
        config: { metadata: { name: 'c', attempt: 0 }, image: { image: 'localhost/bars/busybox:1' }, command: ['sh', '-c', 'mkdir -p /www && echo hello-$(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www'], log_path: 'c/0.log', linux: {} },
        sandbox_config: config,
      });
      await cri.runtime('StartContainer', { container_id: cid });
      const ex = await cri.runtime('ExecSync', { container_id: cid, cmd: ['sh', '-c', 'hostname; ip addr show eth0 2>/dev/null || cat /proc/net/fib_trie'], timeout: 10 });
      assert.equal(ex.exit_code, 0, Buffer.from(ex.stderr).toString());
      const out = Buffer.from(ex.stdout).toString();
      assert.match(out, /^p1\n/);
      assert.ok(out.includes(ip), out);
      // The host reaches the pod through the bridge.
      const ping = spawnSync('ping', ['-c', '1', '-W', '2', ip]);
      if (!ping.error) assert.equal(ping.status, 0, `ping ${ip}`);
      // hostPort through the portmap plugin, on the host's own address (the response body proves
      // it is our pod that answered).
      const route = JSON.parse(spawnSync('ip', ['-j', 'route', 'get', '1.1.1.1'], { encoding: 'utf8' }).stdout || '[]') as Array<{ prefsrc?: string }>;
      const hostIP = route[0]?.prefsrc;
      if (hostIP) {
        const body = await until(`pod answering on ${hostIP}:${hostPort}`, async () => fetch(`http://${hostIP}:${hostPort}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).catch(() => undefined), 10_000);
        assert.equal(body, 'hello-p1\n');
      }
    } finally {
      cri.close();
    }
  });

  it('pulls from a local registry over the OCI distribution API (ctr and the CRI)', async () => {
    const ref = `${regHost}/keelson/httpd:1`;
    const img = httpdImage(ref);
    const pushed = await pushImage(img, ref);
    assert.equal(pushed.digest, img.manifest.digest);
    const manifest = await fetch(`http://${regHost}/v2/keelson/httpd/manifests/1`, { headers: { accept: img.manifest.mediaType } });
    assert.equal(sha256(Buffer.from(await manifest.arrayBuffer())), img.manifest.digest);
    const p = await ctr(c.address, ['images', 'pull', '--plain-http', ref], { namespace: 'k8s.io' });
    assert.equal(p.code, 0, p.stderr);
    const busy = `${regHost}/keelson/busybox:1`;
    await pushImage(busyboxImage(busy), busy);
    const cri = new CriClient(c.endpoint, 60_000);
    try {
      const r = await cri.image('PullImage', { image: { image: busy } });
      assert.match(r.image_ref, /^sha256:[0-9a-f]{64}$/);
      const s = await cri.image('ImageStatus', { image: { image: busy } });
      assert.ok(s.image.repo_tags.includes(busy), String(s.image.repo_tags));
    } finally {
      cri.close();
    }
  });

  it('scripts/build-images.sh builds the images offline and serves them from its own registry', async () => {
    const port = await freePort();
    const out = join(dir, 'built');
    const run = (...a: string[]) => spawnSync('bash', [join(repo, 'scripts', 'build-images.sh'), '--dir', out, ...a], { encoding: 'utf8', timeout: 120_000 });
    try {
      const r = run('--port', String(port));
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`pushed 127.0.0.1:${port}/keelson/httpd:1@sha256:`));
      for (const f of ['busybox.tar', 'httpd.tar', 'pause.tar']) assert.ok(existsSync(join(out, f)), f);
      const catalog = await (await fetch(`http://127.0.0.1:${port}/v2/_catalog`)).json();
      assert.deepEqual(catalog, { repositories: ['keelson/busybox', 'keelson/httpd', 'keelson/pause'] });
      const p = await ctr(c.address, ['images', 'pull', '--plain-http', `127.0.0.1:${port}/keelson/httpd:1`], { namespace: 'k8s.io' });
      assert.equal(p.code, 0, p.stderr);
    } finally {
      const s = run('--stop');
      assert.match(s.stdout, /registry stopped/);
    }
  });
});
