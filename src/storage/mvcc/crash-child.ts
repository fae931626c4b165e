// Child process of crash.test.ts: writes concurrently and prints every acknowledged write
// ("ack <key> <revision>") until it is killed.
import { openMvccStore } from './index.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child <dataDir>');
const store = await openMvccStore({ dataDir: dir });
let n = 0;
const writer = async (w: number) => {
  for (;;) {
    const key = `crash/${w}/${n++}`;
    const value = Buffer.alloc(200 + (n % 300), n % 251);
    const r = await store.put({ key: Buffer.from(key), value });
    process.stdout.write(`ack ${key} ${r.header.revision} ${value.length}\n`);
    if (n % 7 === 0) {
      const t = await store.txn({
        compare: [],
        success: [
          { requestPut: { key: Buffer.from(`${key}/t1`), value: Buffer.from('a') } },
          { requestPut: { key: Buffer.from(`${key}/t2`), value: Buffer.from('b') } },
        ],
        failure: [],
      });
      process.stdout.write(`ack ${key}/t1 ${t.header.revision} 1\nack ${key}/t2 ${t.header.revision} 1\n`);
    }
  }
};
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 64 }, (_, i) => writer(i)));
