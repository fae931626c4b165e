// Store compaction, as kube-apiserver's compactor: every interval, compact to the revision seen
// one interval earlier (so watchers have a full interval to resume), coordinating through the
// `compact_rev_key` key with a txn like kube so several apiservers compact once.
import type { Store } from '../storage/store.js';
import { logger } from '../util/log.js';

const log = logger('compactor');
const key = Buffer.from('compact_rev_key');

export function startCompactor(store: Store, intervalSeconds: number, signal: AbortSignal): void {
  if (intervalSeconds <= 0) return;
  let lastRev = 0;
  let lastVersion = 0;
  const tick = async () => {
    try {
      // Bump compact_rev_key's version if nobody did since our last look; its revision is the compaction target.
      const r = await store.txn({
        compare: [{ key, target: 'VERSION', result: 'EQUAL', version: lastVersion }],
        success: [{ requestPut: { key, value: Buffer.from(String(Date.now())) } }],
        failure: [{ requestRange: { key } }],
      });
      const cur = r.header.revision;
      if (r.succeeded) {
        lastVersion++;
        if (lastRev > 0) await store.compact({ revision: lastRev }).catch((e) => log.debug({ err: e }, 'compaction skipped'));
        lastRev = cur;
      } else {
        const kv = 'responseRange' in r.responses[0] ? r.responses[0].responseRange.kvs[0] : undefined;
        lastVersion = kv?.version ?? 0;
        lastRev = cur;
      }
    } catch (e) {
      log.warn({ err: e }, 'compaction tick failed');
    }
  };
  const t = setInterval(() => void tick(), intervalSeconds * 1000);
  t.unref();
  signal.addEventListener('abort', () => clearInterval(t));
}
