// Helpers shared by the Store contract suite's parts (contract-*.ts).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Errors, isStoreError, type ErrorName } from './errors.js';
import type { KeyValue, Store, WatchRequest, WatchResponse, Watcher, Event } from './store.js';

export interface ContractContext {
  /** The store under test (opened once for the suite). */
  readonly store: Store;
  /** A key prefix unique to this run and test: `/keelson-contract/<run>/<test>/`. */
  prefix(test: string): string;
  readonly options: ContractOptions;
}

export interface ContractOptions {
  /**
   * The store's progress-notify interval (etcd: --experimental-watch-progress-notify-interval,
   * mvcc: progressNotifyIntervalMs). When given (keep it at or under 1 s), the suite checks that
   * an idle progressNotify watcher gets an empty response within three intervals; when absent,
   * that test is skipped (etcd's default is 10 minutes).
   */
  progressNotifyIntervalMs?: number;
}

export const buf = (s: string | Buffer): Buffer => (Buffer.isBuffer(s) ? s : Buffer.from(s));
export const str = (b: Buffer | undefined): string => (b ? b.toString() : '<undefined>');
export const keysOf = (kvs: KeyValue[]): string[] => kvs.map((kv) => kv.key.toString());
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function runId(): string {
  return randomBytes(4).toString('hex');
}

/** Assert the promise fails with etcd's error `name` (exact message and gRPC code). */
export async function rejectsWith(p: Promise<unknown>, name: ErrorName): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isStoreError(err), `expected StoreError ${name}, got ${String(err)}`);
    assert.equal(err.message, Errors[name].message);
    assert.equal(err.code, Errors[name].code);
    return true;
  });
}

/** The current revision, as a read of a key nobody writes reports it. */
export async function currentRevision(store: Store): Promise<number> {
  return (await store.range({ key: buf('/keelson-contract-none') })).header.revision;
}

/** A watch that records every response; `waitEvents(n)` resolves once n events have arrived. */
export class Recorder {
  readonly responses: WatchResponse[] = [];
  watcher!: Watcher;
  private waiters: Array<() => void> = [];

  static async start(store: Store, req: WatchRequest): Promise<Recorder> {
    const r = new Recorder();
    r.watcher = await store.watch(req, (resp) => {
      r.responses.push(resp);
      for (const w of r.waiters.splice(0)) w();
    });
    return r;
  }

  get events(): Event[] {
    return this.responses.flatMap((r) => r.events);
  }

  /** Wait until `pred` holds (checked after each response), failing after `timeoutMs`. */
  async until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(this.summary())}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitEvents(n: number, timeoutMs = 5000): Promise<void> {
    return this.until(() => this.events.length >= n, `${n} events`, timeoutMs);
  }

  waitResponses(n: number, timeoutMs = 5000): Promise<void> {
    return this.until(() => this.responses.length >= n, `${n} responses`, timeoutMs);
  }

  /** A readable digest for failure messages. */
  summary() {
    return this.responses.map((r) => ({
      rev: r.header.revision,
      canceled: r.canceled,
      compactRevision: r.compactRevision,
      events: r.events.map((e) => `${e.type} ${e.kv.key.toString()}@${e.kv.modRevision}`),
    }));
  }

  cancel() {
    this.watcher.cancel();
  }
}

/** Put each key (with value `v-<key>`), one revision each; answers the revisions. */
export async function putAll(store: Store, keys: string[], value = (k: string) => `v-${k}`): Promise<number[]> {
  const revs: number[] = [];
  for (const k of keys) revs.push((await store.put({ key: buf(k), value: buf(value(k)) })).header.revision);
  return revs;
}
