// A minimal ustar writer (POSIX.1-1988 headers): regular files, directories and symlinks, with
// fixed owner (0:0) and mtime so the same input gives the same bytes (reproducible image layers).
// Only what image layers and OCI archives need: no long names past ustar's 255 characters, no
// hard links, devices or extended (pax) headers.

export interface TarEntry {
  /** Path inside the archive, relative, "/"-separated ("bin/busybox"; directories may end in "/"). */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** File contents (type file). */
  data?: Buffer;
  /** Symlink target (type symlink). */
  target?: string;
  /** Permission bits (default 0o755 for directories and symlinks' own mode, 0o644 for files). */
  mode?: number;
  /** Seconds since the epoch (default 0). */
  mtime?: number;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  // width includes the terminating NUL.
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  // ustar: prefix (155) + "/" + name (100), split at a slash.
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return { name, prefix };
  }
  throw new Error(`tar: path "${path}" is too long for a ustar header`);
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  let path = e.path.replace(/^\/+/, '');
  if (e.type === 'dir' && !path.endsWith('/')) path += '/';
  const { name, prefix } = splitName(path);
  const mode = e.mode ?? (e.type === 'file' ? 0o644 : e.type === 'dir' ? 0o755 : 0o777);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(e.mtime ?? 0, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2', 156, 1, 'ascii');
  if (e.type === 'symlink') {
    if (!e.target || Buffer.byteLength(e.target) > 100) throw new Error(`tar: symlink "${e.path}" needs a target of at most 100 bytes`);
    h.write(e.target, 157, 100, 'utf8');
  }
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

/** The archive bytes of `entries`, in the given order, ending with the two zero blocks. */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    parts.push(header(e, data.length));
    if (data.length) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0));
  return Buffer.concat(parts);
}
