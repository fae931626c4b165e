// Helpers for the mvcc tests: a store in a fresh temp dir, removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMvccStore, type MvccOptions } from './index.js';
import type { MvccStore } from './kv-store.js';

export const b = (s: string): Buffer => Buffer.from(s);

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'keelson-mvcc-'));
}

export async function withStore(
  fn: (s: MvccStore, dir: string) => Promise<void>,
  opts: Partial<MvccOptions> = {},
): Promise<void> {
  const dir = await tempDir();
  const s = await openMvccStore({ dataDir: dir, ...opts });
  try {
    await fn(s, dir);
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
}
