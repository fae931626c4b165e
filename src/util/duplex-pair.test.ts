// The in-memory connection under the in-process transport: bytes in order both ways, flow
// control, end and close reaching the other end as over TCP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { duplexPair } from './duplex-pair.js';

test('bytes written at one end are read at the other, in order, both ways', async () => {
  const [a, b] = duplexPair();
  const fromA: Buffer[] = [];
  const fromB: Buffer[] = [];
  b.on('data', (d: Buffer) => fromA.push(d));
  a.on('data', (d: Buffer) => fromB.push(d));
  a.write('keelson ');
  a.end('to b');
  b.end('keelson to a');
  await Promise.all([once(a, 'close'), once(b, 'close')]);
  assert.equal(Buffer.concat(fromA).toString(), 'keelson to b');
  assert.equal(Buffer.concat(fromB).toString(), 'keelson to a');
});

test('a writer waits while the reader does not read (flow control), and loses nothing', async () => {
  const [a, b] = duplexPair();
  const chunk = Buffer.alloc(64 * 1024, 7);
  let acknowledged = 0;
  for (let i = 0; i < 64; i++) a.write(chunk, () => acknowledged++);
  await new Promise((r) => setImmediate(r));
  // Nothing read yet: only as much as the reader's buffer holds went through.
  assert.ok(acknowledged < 64, `all ${acknowledged} writes acknowledged without a reader`);
  assert.ok(a.writableNeedDrain);
  let received = 0;
  b.on('data', (d: Buffer) => (received += d.length));
  a.end();
  await once(b, 'end');
  assert.equal(received, 64 * chunk.length);
  assert.equal(acknowledged, 64);
});

test('ending one end ends the other (no half-open connections, as TCP sockets by default)', async () => {
  const [a, b] = duplexPair();
  b.resume();
  a.resume();
  a.end();
  await Promise.all([once(b, 'end'), once(a, 'close'), once(b, 'close')]);
  assert.equal(b.writableEnded, true);
});

test('destroying one end closes the other, whichever end it is', async () => {
  const [a, b] = duplexPair();
  b.resume();
  a.write('x');
  const closed = once(b, 'close');
  a.destroy();
  await closed;
  assert.equal(b.destroyed, true);
  const [c, d] = duplexPair();
  d.destroy();
  await once(c, 'close');
  assert.equal(c.destroyed, true);
});

test('the socket calls of Node HTTP (timeouts, keep-alive, ref) are accepted', () => {
  const [a] = duplexPair();
  assert.equal(a.setTimeout(1000), a);
  assert.equal(a.setKeepAlive(), a);
  assert.equal(a.setNoDelay(), a);
  assert.equal(a.ref().unref(), a);
  assert.equal(a.remoteAddress, '127.0.0.1');
  a.destroy();
});
