// The Store contract: one suite every Store implementation must pass (the embedded engine, the
// client of a real etcd; the real etcd itself through the client is the reference).
//
//   storeContract('mvcc', async () => { const store = await openMvcc(dir); return { store, close: () => store.close() }; });
//
// It checks etcd 3.4's semantics as store.ts documents them, method by method. Every test uses
// its own key prefix (`/keelson-contract/<run>/<test>/`), so the suite can run against a store
// that already holds data (a shared etcd). Tests that need an empty store open their own.
// Parts: contract-kv.ts (revisions, range, put, delete), contract-txn.ts, contract-watch.ts,
// contract-lease.ts, contract-maintenance.ts (compaction, status, hashKV, snapshot).
//
// Where real etcd 3.4 is more precise than store.ts's wording, the suite follows etcd (each was
// observed against etcd 3.4.23 through etcd-client.contract.test.ts):
// - a range AT the compacted revision succeeds; only revisions below it fail with ErrCompacted
//   (compact() itself fails at or below the compacted revision);
// - count ignores the min/max mod/create revision filters (etcd prunes after counting);
// - sortOrder NONE with a sortTarget other than KEY sorts ascending;
// - txn: every compare, nested ones included, sees the state before the txn (etcd picks all
//   branches up front); reads see earlier writes; ErrDuplicateKey is checked in both branches,
//   whichever runs; a nested txn response's own header is empty in etcd (revision 0) - the suite
//   accepts 0 or the txn revision; the ops inside carry the txn revision;
// - the events of one revision arrive in the order the txn applied them (not key order);
// - hashKV reports compactRevision -1 on a store never compacted.
//
// Expectations on the store under test: default limits (128 txn ops), leases with a 2 s
// minimum TTL that expire within about a second of their TTL, nothing else writing
// concurrently (tests compare revisions).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from './store.js';
import { buf, runId, type ContractContext, type ContractOptions } from './contract-helpers.js';
import { kvContract } from './contract-kv.js';
import { txnContract } from './contract-txn.js';
import { watchContract } from './contract-watch.js';
import { leaseContract } from './contract-lease.js';
import { maintenanceContract } from './contract-maintenance.js';

export type OpenStore = () => Promise<{ store: Store; close(): Promise<void> }>;

export type { ContractOptions };

export function storeContract(name: string, open: OpenStore, options: ContractOptions = {}): void {
  describe(`Store contract: ${name}`, () => {
    let opened: { store: Store; close(): Promise<void> } | undefined;
    const run = runId();
    const ctx: ContractContext = {
      get store() {
        if (!opened) throw new Error('store not open');
        return opened.store;
      },
      prefix: (test) => `/keelson-contract/${run}/${test}/`,
      options,
    };
    before(async () => {
      opened = await open();
    });
    after(async () => {
      await opened?.close();
    });

    describe('a fresh store', () => {
      it('starts at revision 1 with no keys; the first write is revision 2', async (t) => {
        const fresh = await open();
        try {
          const all = await fresh.store.range({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]) });
          if (all.header.revision !== 1 || all.count !== 0) {
            t.skip(`the store is not fresh (revision ${all.header.revision}, ${all.count} keys)`);
            return;
          }
          assert.deepEqual(all.kvs, []);
          assert.equal(all.more, false);
          assert.equal((await fresh.store.status()).header.revision, 1);
          const put = await fresh.store.put({ key: buf('first'), value: buf('1') });
          assert.equal(put.header.revision, 2);
          const kv = (await fresh.store.range({ key: buf('first') })).kvs[0];
          assert.deepEqual([kv.createRevision, kv.modRevision, kv.version, kv.lease], [2, 2, 1, 0n]);
          const txn = await fresh.store.txn({
            compare: [],
            success: [{ requestPut: { key: buf('a'), value: buf('') } }, { requestPut: { key: buf('b'), value: buf('') } }],
            failure: [],
          });
          assert.equal(txn.header.revision, 3);
          // Never compacted: etcd reports compact revision -1.
          const h = await fresh.store.hashKV();
          assert.equal(h.compactRevision, -1);
        } finally {
          await fresh.close();
        }
      });

      it('fails calls after close', async () => {
        const fresh = await open();
        await fresh.store.put({ key: buf('k'), value: buf('v') });
        await fresh.close();
        await assert.rejects(fresh.store.range({ key: buf('k') }));
        await assert.rejects(fresh.store.put({ key: buf('k'), value: buf('v') }));
        await assert.rejects(fresh.store.watch({ key: buf('k') }, () => undefined));
        await assert.rejects(fresh.store.leaseGrant(60));
        await fresh.store.close().catch(() => undefined); // a second close is harmless
      });
    });

    kvContract(ctx);
    txnContract(ctx);
    watchContract(ctx);
    leaseContract(ctx);
    maintenanceContract(ctx);
  });
}
