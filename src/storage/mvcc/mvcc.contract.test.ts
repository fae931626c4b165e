// The shared Store contract suite against the embedded mvcc engine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../contract.js';
import { openMvccStore } from './index.js';

const progressNotifyIntervalMs = 300;

storeContract(
  'mvcc',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keelson-mvcc-contract-'));
    const store = await openMvccStore({ dataDir: dir, progressNotifyIntervalMs });
    return {
      store,
      close: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { progressNotifyIntervalMs },
);
