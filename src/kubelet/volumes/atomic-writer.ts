// The kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files are written
// into a fresh timestamped directory (..2024_01_02_03_04_05.123456789), a `..data` symlink is
// swapped to it with one rename, and every top-level entry the user sees is a symlink through
// `..data`. A reader therefore sees either the old set of files or the new one, never a mix; the
// previous directory is removed afterwards. Writing the same payload again changes nothing.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, normalize, isAbsolute } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** File mode (e.g. 0o644, the volume's defaultMode or the item's mode). */
  mode: number;
}

/** Relative path -> content. Paths are validated: no absolute paths, no `..` elements. */
export type Payload = Map<string, FileProjection>;

const DATA = '..data';
const DATA_TMP = '..data_tmp';

export function validatePath(p: string): string | undefined {
  if (!p) return 'must not be empty';
  if (isAbsolute(p)) return 'must be a relative path';
  if (p.split('/').includes('..')) return "must not contain '..'";
  if (p.startsWith('..')) return "must not start with '..'";
  return undefined;
}

function timestampDir(): string {
  const d = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const ns = `${pad(d.getUTCMilliseconds(), 3)}${pad(Math.floor(Math.random() * 1e6), 6)}`;
  return `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.${ns}`;
}

function sameAsCurrent(dir: string, payload: Payload): boolean {
  const data = join(dir, DATA);
  if (!existsSync(data)) return false;
  const have = new Set<string>();
  const walk = (base: string, rel: string) => {
    for (const name of readdirSync(join(base, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(base, r)).isDirectory()) walk(base, r);
      else have.add(r);
    }
  };
  walk(data, '');
  if (have.size !== payload.size) return false;
  for (const [p, f] of payload) {
    if (!have.has(p)) return false;
    const full = join(data, p);
    if ((statSync(full).mode & 0o7777) !== f.mode || !readFileSync(full).equals(f.data)) return false;
  }
  return true;
}

/** Writes `payload` into `dir` atomically; returns whether anything changed. */
export function writeAtomically(dir: string, payload: Payload): boolean {
  for (const p of payload.keys()) {
    const err = validatePath(p);
    if (err) throw new Error(`invalid path "${p}": ${err}`);
  }
  mkdirSync(dir, { recursive: true });
  if (sameAsCurrent(dir, payload)) return false;
  const oldTs = existsSync(join(dir, DATA)) ? readlinkSync(join(dir, DATA)) : undefined;
  const ts = timestampDir();
  const tsDir = join(dir, ts);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const [p, f] of payload) {
    const full = join(tsDir, normalize(p));
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.data);
    chmodSync(full, f.mode);
  }
  // Swap ..data in one rename.
  rmSync(join(dir, DATA_TMP), { force: true });
  symlinkSync(ts, join(dir, DATA_TMP));
  renameSync(join(dir, DATA_TMP), join(dir, DATA));
  // User-visible top-level entries: symlinks through ..data; stale ones go.
  const top = new Set([...payload.keys()].map((p) => p.split('/')[0]));
  for (const name of top) {
    const link = join(dir, name);
    let exists: boolean;
    try {
      exists = lstatSync(link).isSymbolicLink();
    } catch {
      exists = false;
    }
    if (!exists) symlinkSync(join(DATA, name), link);
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || top.has(name)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
  if (oldTs && oldTs !== ts) rmSync(join(dir, oldTs), { recursive: true, force: true });
  return true;
}
