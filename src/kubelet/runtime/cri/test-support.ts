// Test support for the CRI runtime (tests only): builds a busybox OCI image archive offline
// (busybox-static, its applets as symlinks, an OCI layout in a tar, like the acceptance
// scripts' mkimage), and starts a private containerd whose config, root, state, socket and CNI
// config live in a temp dir (a bridge and a host-local network of the test's own, removed on
// stop). `criSkipReason()` says why such a test cannot run here (not root, no containerd...).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CriClient } from './client.js';

const CNI_BIN = '/usr/lib/cni';

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Why CRI tests cannot run on this machine, or undefined when they can. */
export function criSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (containerd with runc and CNI networking)';
  for (const c of ['containerd', 'ctr', 'runc', 'busybox', 'ip']) if (!which(c)) return `${c} not installed (scripts/install-deps.sh installs it)`;
  if (!existsSync(join(CNI_BIN, 'bridge'))) return `CNI plugins missing in ${CNI_BIN} (containernetworking-plugins)`;
  return undefined;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Writes an OCI image archive of busybox-static to `out`, tagged `ref`; `cmd` is its Cmd. */
export function buildBusyboxImage(out: string, ref: string, cmd: string[] = ['sh']): void {
  const w = mkdtempSync(join(tmpdir(), 'keelson-img-'));
  try {
    const r = join(w, 'rootfs');
    for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp', 'www']) mkdirSync(join(r, d), { recursive: true });
    copyFileSync(which('busybox')!, join(r, 'bin', 'busybox'));
    for (const a of ['sh', 'ls', 'cat', 'echo', 'sleep', 'hostname', 'httpd', 'wget', 'env', 'id', 'ps', 'mkdir', 'true', 'false', 'nc', 'head', 'dd', 'touch', 'tail', 'yes'])
      symlinkSync('busybox', join(r, 'bin', a));
    writeFileSync(join(r, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n');
    const tarPath = join(w, 'layer.tar');
    execFileSync('tar', ['--numeric-owner', '--sort=name', '--mtime=@0', '-C', r, '-cf', tarPath, '.']);
    const layer = readFileSync(tarPath);
    const gz = gzipSync(layer);
    const o = join(w, 'oci');
    mkdirSync(join(o, 'blobs', 'sha256'), { recursive: true });
    const blob = (b: Buffer) => {
      const d = sha256(b);
      writeFileSync(join(o, 'blobs', 'sha256', d), b);
      return { digest: `sha256:${d}`, size: b.length };
    };
    const l = blob(gz);
    const config = blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin'], Cmd: cmd }, rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layer)}`] } })));
    const manifest = blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l }],
        }),
      ),
    );
    const tag = ref.slice(ref.lastIndexOf(':') + 1);
    writeFileSync(join(o, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag, 'io.containerd.image.name': ref } }] }));
    writeFileSync(join(o, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    execFileSync('tar', ['-C', o, '-cf', `${out}.tmp`, '.']);
    renameSync(`${out}.tmp`, out);
  } finally {
    rmSync(w, { recursive: true, force: true });
  }
}

export interface TestContainerd {
  /** unix:///.../containerd.sock */
  endpoint: string;
  dir: string;
  /** The pause image the CRI plugin uses for sandboxes (already imported). */
  sandboxImage: string;
  /** The bridge of this containerd's CNI network. */
  bridge: string;
  importImage(tar: string): void;
  stop(): Promise<void>;
}

/** Starts a private containerd with a CNI bridge network of its own; imports a pause image. */
export async function startTestContainerd(): Promise<TestContainerd> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-ctrd-'));
  const id = randomBytes(3).toString('hex');
  const bridge = `kt${id}`;
  const network = `keelson-test-${id}`;
  const subnet = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2, 4), 16)}.0/24`;
  const sock = join(dir, 'containerd.sock');
  const sandboxImage = 'localhost/keelson/pause:test';
  mkdirSync(join(dir, 'cni'), { recursive: true });
  writeFileSync(
    join(dir, 'cni', '10-keelson.conflist'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: network,
      plugins: [
        { type: 'bridge', bridge, isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet }]], routes: [{ dst: '0.0.0.0/0' }] } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'config.toml'),
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      '[grpc]',
      `  address = "${sock}"`,
      '[ttrpc]',
      `  address = "${sock}.ttrpc"`,
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = "${sandboxImage}"`,
      '  restrict_oom_score_adj = true',
      '  [plugins."io.containerd.grpc.v1.cri".cni]',
      `    bin_dir = "${CNI_BIN}"`,
      `    conf_dir = "${dir}/cni"`,
      '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      '    runtime_type = "io.containerd.runc.v2"',
      '',
    ].join('\n'),
  );
  const log = join(dir, 'containerd.log');
  const child: ChildProcess = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stderr!.on('data', (d: Buffer) => chunks.push(d));
  const deadline = Date.now() + 20_000;
  while (!existsSync(sock)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const out = Buffer.concat(chunks).toString();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`containerd did not start: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const ctr = (args: string[]) => execFileSync('ctr', ['--address', sock, '-n', 'k8s.io', ...args], { stdio: 'pipe' });
  const pauseTar = join(dir, 'pause.tar');
  buildBusyboxImage(pauseTar, sandboxImage, ['sleep', '2147483647']);
  ctr(['images', 'import', pauseTar]);
  let stopped = false;
  return {
    endpoint: `unix://${sock}`,
    dir,
    sandboxImage,
    bridge,
    importImage: (tar) => void ctr(['images', 'import', tar]),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // Remove every sandbox (containers, shims, netns, CNI allocations) before containerd goes away.
      const c = new CriClient(`unix://${sock}`, 30_000);
      try {
        const { items } = await c.runtime('ListPodSandbox', {});
        for (const sb of items) {
          await c.runtime('StopPodSandbox', { pod_sandbox_id: sb.id }).catch(() => undefined);
          await c.runtime('RemovePodSandbox', { pod_sandbox_id: sb.id }).catch(() => undefined);
        }
      } catch {
        /* containerd gone */
      } finally {
        c.close();
      }
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      writeFileSync(log, Buffer.concat(chunks));
      spawnSync('ip', ['link', 'del', bridge]);
      rmSync(join('/var/lib/cni/networks', network), { recursive: true, force: true });
      // Shim mounts under root/state may linger briefly; unmount what is left, then remove.
      spawnSync('sh', ['-c', `grep -o " ${dir}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      try {
        if (statSync(dir)) rmSync(dir, { recursive: true, force: true });
      } catch {
        /* already gone */
      }
    },
  };
}
