// kill -9 under write load loses nothing acknowledged: concurrent etcd3 clients write to
// `bin/keelson etcd`, the server is killed with SIGKILL mid-load, restarted on the same data dir,
// and every write that was acknowledged is there (with its value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { etcdctl, startKeelsonEtcd } from '../../src/storage/etcd-server/test-support.js';
import { until } from '../helpers/until.js';

test('kill -9 under write load loses no acknowledged write', { timeout: 120_000 }, async () => {
  const k = await startKeelsonEtcd();
  const client = new Etcd3({ hosts: k.endpoint, dialTimeout: 2000 });
  const acked = new Map<string, string>();
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const key = `/dur/${w}/${i}`;
      const value = `v${w}-${i}`;
      try {
        await client.put(key).value(value);
        acked.set(key, value);
      } catch {
        return; // the server is gone: whatever was not acknowledged may be lost
      }
    }
  };
  try {
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    // Kill once a few hundred writes were acknowledged (a fixed wait acknowledged fewer than 100
    // on a loaded machine), at least 500 ms into the load.
    await new Promise((r) => setTimeout(r, 500));
    await until('300 acknowledged writes', async () => acked.size >= 300, 60_000);
    await k.kill9();
    stop = true;
    await Promise.all(workers);
    client.close();
    assert.ok(acked.size > 100, `only ${acked.size} writes were acknowledged before the kill`);
    await k.restart();
    const r = await etcdctl(k.hostPort, ['get', '/dur/', '--prefix', '-w', 'json']);
    const kvs: Array<{ key: string; value: string }> = JSON.parse(r.stdout).kvs ?? [];
    const stored = new Map(kvs.map((kv) => [Buffer.from(kv.key, 'base64').toString(), Buffer.from(kv.value, 'base64').toString()]));
    const lost = [...acked].filter(([key, v]) => stored.get(key) !== v);
    assert.equal(lost.length, 0, `${lost.length} of ${acked.size} acknowledged writes lost, e.g. ${lost.slice(0, 3).map(([key]) => key).join(', ')}`);
  } finally {
    stop = true;
    client.close();
    await k.stop();
  }
});
