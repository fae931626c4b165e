// The images keelson builds offline from the host's busybox-static (Debian's busybox-static
// package; scripts/install-deps.sh installs it):
//   pause   localhost/keelson/pause:1   the pod sandbox image (containerd's sandbox_image). It
//           sleeps forever; Kubernetes' pause also reaps zombies and exits on SIGTERM/SIGINT,
//           this one relies on containerd stopping sandboxes with SIGKILL.
//   busybox localhost/keelson/busybox:1 a shell and the usual applets (Cmd ["sh"]).
//   httpd   localhost/keelson/httpd:1   busybox httpd on port 80 serving its hostname at "/".
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { buildImage, type BuiltImage } from './oci-build.js';
import type { TarEntry } from './tar.js';

export const PAUSE_IMAGE = 'localhost/keelson/pause:1';
export const BUSYBOX_IMAGE = 'localhost/keelson/busybox:1';
export const HTTPD_IMAGE = 'localhost/keelson/httpd:1';

/** The host's busybox binary (must be statically linked to run in an image), or why not. */
export function findBusybox(): { path: string } | { error: string } {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) {
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      continue;
    }
    const head = readFileSync(real).subarray(0, 4096);
    // A dynamically linked ELF names its interpreter (PT_INTERP: /lib64/ld-linux-...).
    if (head.includes('/ld-linux') || head.includes('ld-musl')) return { error: `${real} is dynamically linked: install busybox-static` };
    return { path: real };
  }
  return { error: 'busybox is not installed (apt-get install busybox-static)' };
}

let cachedRootfs: TarEntry[] | undefined;

/** A minimal root filesystem: /bin/busybox with a symlink per applet, /etc/passwd and group. */
export function busyboxRootfs(): TarEntry[] {
  if (cachedRootfs) return cachedRootfs;
  const bb = findBusybox();
  if ('error' in bb) throw new Error(bb.error);
  const list = spawnSync(bb.path, ['--list'], { encoding: 'utf8' });
  const applets = (list.stdout ?? '').split('\n').map((s) => s.trim()).filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
  const entries: TarEntry[] = [
    { path: 'bin', type: 'dir' },
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: readFileSync(bb.path) },
    ...applets.map((a): TarEntry => ({ path: `bin/${a}`, type: 'symlink', target: 'busybox' })),
    { path: 'dev', type: 'dir' },
    { path: 'etc', type: 'dir' },
    { path: 'etc/passwd', type: 'file', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n') },
    { path: 'etc/group', type: 'file', data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { path: 'proc', type: 'dir' },
    { path: 'root', type: 'dir', mode: 0o700 },
    { path: 'sys', type: 'dir' },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'usr', type: 'dir' },
    { path: 'usr/bin', type: 'symlink', target: '../bin' },
    { path: 'var', type: 'dir' },
  ];
  cachedRootfs = entries;
  return entries;
}

const ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

export function pauseImage(ref = PAUSE_IMAGE): BuiltImage {
  // Only what `sleep` needs: the binary and its applet link (no applet list to ask busybox for),
  // in an uncompressed layer: it is built while a node starts, where gzip cost ~0.1 s of CPU.
  const bb = findBusybox();
  if ('error' in bb) throw new Error(bb.error);
  const files: TarEntry[] = [
    { path: 'bin', type: 'dir' },
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: readFileSync(bb.path) },
    { path: 'bin/sleep', type: 'symlink', target: 'busybox' },
    ...['dev', 'etc', 'proc', 'sys'].map((path): TarEntry => ({ path, type: 'dir' })),
  ];
  return buildImage(ref, files, { Entrypoint: ['/bin/sleep', '2147483647'], Env: ENV, Labels: { 'io.keelson.image': 'pause' } }, { compress: false });
}

export function busyboxImage(ref = BUSYBOX_IMAGE): BuiltImage {
  return buildImage(ref, busyboxRootfs(), { Cmd: ['sh'], Env: ENV });
}

export function httpdImage(ref = HTTPD_IMAGE): BuiltImage {
  return buildImage(ref, [...busyboxRootfs(), { path: 'www', type: 'dir' }], {
    Entrypoint: ['/bin/sh', '-c', 'hostname > /www/index.html && exec httpd -f -p "${PORT:-80}" -h /www'],
    Env: ENV,
    ExposedPorts: { '80/tcp': {} },
  });
}

/** The builders by short name (`keelson images build NAME`). */
export const builtinImages: Record<string, (ref?: string) => BuiltImage> = { pause: pauseImage, busybox: busyboxImage, httpd: httpdImage };
