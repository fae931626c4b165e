// keelson's embedded etcd-compatible store: MVCC over LMDB (see kv-store.ts for the design).
import { MvccStore } from './kv-store.js';
import type { MvccOptions } from './options.js';

export { MvccStore } from './kv-store.js';
export type { MvccOptions } from './options.js';
export { DEFAULT_QUOTA_BYTES } from './options.js';
export { restoreSnapshot } from './snapshot.js';
export { MIN_LEASE_TTL } from './lessor.js';

/** Open (or create) the store in `opts.dataDir`. Recovery reads only small state (no history replay). */
export async function openMvccStore(opts: MvccOptions): Promise<MvccStore> {
  const s = new MvccStore(opts);
  s.open();
  return s;
}
