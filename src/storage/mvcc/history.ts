// Reading the revision log: the events of a span of revisions, for watchers that catch up.
import type { Backend } from './backend.js';
import { decodeHist, decodeLog, histKey, readU64, revKey } from './codec.js';
import { getBefore } from './key-index.js';
import type { Event, KeyValue } from '../store.js';
import type { HistorySource } from './watch-hub.js';

export function deleteEventKv(key: Buffer, rev: number): KeyValue {
  return { key, createRevision: 0, modRevision: rev, version: 0, value: Buffer.alloc(0), lease: 0n };
}

export class History implements HistorySource {
  constructor(private readonly be: Backend) {}

  readHistory(from: number, to: number, maxEvents: number): Array<{ rev: number; events: Event[] }> {
    const out: Array<{ rev: number; events: Event[] }> = [];
    let n = 0;
    // The batch holding `from` starts at or before it.
    let startKey = revKey(from);
    for (const k of this.be.log.getKeys({ start: revKey(from), reverse: true, limit: 1 }) as Iterable<Buffer>) startKey = k;
    for (const { key: bk, value } of this.be.log.getRange({ start: startKey })) {
      if (readU64(bk, 0) > to) break;
      for (const e of decodeLog(value)) {
        if (e.rev < from) continue;
        if (e.rev > to) return out;
        let last = out[out.length - 1];
        if (!last || last.rev !== e.rev) {
          if (n >= maxEvents) return out;
          last = { rev: e.rev, events: [] };
          out.push(last);
        }
        const key = Buffer.from(e.key);
        const rec = this.be.hist.getBinary(histKey(key, e.rev));
        if (!rec) continue; // compacted away
        const kv = decodeHist(key, rec);
        last.events.push(kv ? { type: 'PUT', kv } : { type: 'DELETE', kv: deleteEventKv(key, e.rev) });
        n++;
      }
    }
    return out;
  }

  prevOf(key: Buffer, rev: number): KeyValue | undefined {
    return getBefore(this.be, key, rev);
  }
}
