// The Store contract through the whole keelson etcd stack: etcd-client -> gRPC -> keelson's etcd
// server (src/storage/etcd-server) -> the embedded mvcc store. The same suite passes against a real
// etcd (etcd-client.contract.test.ts), so this checks that keelson's gRPC front end and the proto
// converters preserve etcd's semantics end to end.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../contract.js';
import { startEtcdServer } from '../etcd-server/index.js';
import { openMvccStore } from '../mvcc/index.js';
import { openEtcdStore } from './index.js';

const progressNotifyIntervalMs = 500;

storeContract(
  'etcd-client against keelson etcd-server + mvcc',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keelson-etcd-e2e-'));
    const mvcc = await openMvccStore({ dataDir: join(dir, 'store'), progressNotifyIntervalMs });
    const srv = await startEtcdServer({ store: mvcc, listenClientUrls: ['http://127.0.0.1:0'], dataDir: join(dir, 'server') });
    const store = await openEtcdStore({ endpoints: srv.urls });
    return {
      store,
      close: async () => {
        await store.close();
        await srv.close();
        await mvcc.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { progressNotifyIntervalMs },
);
