// HPACK decoder and encoder: RFC 7541 Appendix C examples (C.3 plain literals, C.4 Huffman, the
// dynamic table carried across requests), errors, eviction, and nghttp2's own encoder (node's
// http2 client) as a second source of Huffman-coded strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { HpackDecoder, encodeHeaderBlock, type HeaderField } from './hpack.js';
import { HpackError } from './hpack-error.js';
import { huffmanCode, huffmanDecode } from './hpack-huffman.js';
import { CLIENT_PREFACE, FrameType, emptySettings, readFrameHeader } from './h2-frames.js';
import { HeaderBlockAssembler } from './h2-header-block.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const pairs = (fields: HeaderField[]) => fields.map((f) => [f.name, f.value]);

const FIRST = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']];
const SECOND = [...FIRST, ['cache-control', 'no-cache']];
const THIRD = [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']];
const TABLES = [
  { entries: [[':authority', 'www.example.com']], size: 57 },
  { entries: [['cache-control', 'no-cache'], [':authority', 'www.example.com']], size: 110 },
  { entries: [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']], size: 164 },
];

function requests(blocks: string[]) {
  const d = new HpackDecoder();
  [FIRST, SECOND, THIRD].forEach((want, i) => {
    assert.deepEqual(pairs(d.decode(hex(blocks[i]))), want, `request ${i + 1}`);
    assert.deepEqual(d.table, TABLES[i].entries, `table after request ${i + 1}`);
    assert.equal(d.tableSize, TABLES[i].size);
  });
}

test('RFC 7541 C.3: requests without Huffman coding, dynamic table across requests', () => {
  requests([
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
  ]);
});

test('RFC 7541 C.4: requests with Huffman coding, dynamic table across requests', () => {
  requests(['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf', '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf']);
});

test('Huffman: canonical code facts from RFC 7541 Appendix B', () => {
  assert.deepEqual(huffmanCode(48), { code: 0x0, bits: 5 }); // '0' |00000
  assert.deepEqual(huffmanCode(32), { code: 0x14, bits: 6 }); // ' ' |010100
  assert.deepEqual(huffmanCode(0), { code: 0x1ff8, bits: 13 });
  assert.deepEqual(huffmanCode(256), { code: 0x3fffffff, bits: 30 }); // EOS
  assert.equal(huffmanDecode(hex('f1e3c2e5f23a6ba0ab90f4ff')).toString(), 'www.example.com');
});

test('Huffman: EOS in the string, long padding and non-EOS padding are errors', () => {
  assert.throws(() => huffmanDecode(hex('ffffffff')), HpackError); // 30 one bits = EOS
  assert.equal(huffmanDecode(hex('07')).toString(), '0'); // '0' (00000) then padding 111
  assert.throws(() => huffmanDecode(hex('00')), /not a prefix of EOS/); // '0' then padding 000
  assert.throws(() => huffmanDecode(hex('07ff')), /longer than 7 bits/); // '0', then 11 bits of padding
});

test('decoder errors: index 0, index past the table, size update above the limit or after a field, truncation', () => {
  assert.throws(() => new HpackDecoder().decode(hex('80')), /index 0/);
  assert.throws(() => new HpackDecoder().decode(hex('be')), /past the dynamic table/);
  assert.throws(() => new HpackDecoder().decode(hex('3fe21f')), /above the limit/); // update to 4097
  assert.doesNotThrow(() => new HpackDecoder().decode(hex('3fe11f'))); // update to 4096, the limit
  assert.throws(() => new HpackDecoder().decode(hex('82 20')), /after a header field/);
  assert.throws(() => new HpackDecoder().decode(hex('4005 6162')), /truncated/);
  assert.throws(() => new HpackDecoder().decode(hex('ff')), /truncated in an integer/);
});

test('dynamic table: size updates and eviction of the oldest entries', () => {
  const d = new HpackDecoder({ maxTableSize: 100 });
  // Literal with incremental indexing, new name "a" (1 + 1 + 32 = 34 octets each).
  const add = (v: string) => Buffer.concat([hex('4001'), Buffer.from('a'), Buffer.from([1]), Buffer.from(v)]);
  d.decode(Buffer.concat([add('1'), add('2')]));
  assert.equal(d.tableSize, 68);
  d.decode(add('3')); // 102 > 100: "a: 1" goes
  assert.deepEqual(d.table, [['a', '3'], ['a', '2']]);
  assert.deepEqual(pairs(d.decode(hex('be bf'))), [['a', '3'], ['a', '2']]);
  d.decode(hex('3f03')); // size update to 34: keeps only the newest
  assert.deepEqual(d.table, [['a', '3']]);
  d.decode(hex('20')); // size update to 0 empties it
  assert.equal(d.tableSize, 0);
  assert.throws(() => d.decode(hex('be')), HpackError);
});

test('encoder: static indexes and literals without indexing; a fresh decoder reads it and adds nothing', () => {
  const fields: HeaderField[] = [
    { name: ':method', value: 'POST' },
    { name: ':authority', value: '127.0.0.1:2379' },
    { name: 'content-type', value: 'application/grpc' },
    { name: 'x-keelson', value: 'v'.repeat(300) },
    { name: 'authorization', value: 'secret', sensitive: true },
  ];
  const block = encodeHeaderBlock(fields);
  assert.equal(block[0], 0x83, ':method POST is static index 3');
  const d = new HpackDecoder();
  assert.deepEqual(d.decode(block), fields.map((f) => (f.sensitive ? f : { name: f.name, value: f.value })));
  assert.equal(d.tableSize, 0);
});

/** The first header block node's http2 client (nghttp2's encoder) sends for `headers`. */
async function nghttp2Block(headers: http2.OutgoingHttpHeaders): Promise<Buffer> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const got = new Promise<Buffer>((resolve, reject) => {
    srv.once('connection', (s) => {
      let buf = Buffer.alloc(0);
      const blocks = new HeaderBlockAssembler();
      s.write(emptySettings());
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        let off = CLIENT_PREFACE.length;
        while (off + 9 <= buf.length) {
          const h = readFrameHeader(buf, off);
          if (off + 9 + h.length > buf.length) return;
          if (h.type === FrameType.HEADERS || h.type === FrameType.CONTINUATION) {
            const r = blocks.push(h, buf.subarray(off, off + 9 + h.length));
            if (r === 'bad') return reject(new Error('bad framing'));
            if (r === 'done') return resolve(blocks.take().block);
          }
          off += 9 + h.length;
        }
      });
    });
  });
  const port = (srv.address() as net.AddressInfo).port;
  const c = http2.connect(`http://127.0.0.1:${port}`);
  c.on('error', () => {});
  c.request(headers).on('error', () => {});
  try {
    return await got;
  } finally {
    c.destroy();
    srv.close();
  }
}

test('Huffman and indexing as nghttp2 encodes them: every visible ASCII and latin1 octet', async () => {
  const headers: Record<string, string> = { ':path': '/keelson', ':authority': 'http://127.0.0.1:2379' };
  const chars: number[] = [];
  for (let c = 0x20; c <= 0xff; c++) if (c < 0x7f || c >= 0x80) chars.push(c);
  chars.push(0x09);
  // Each rare octet amid short codes, so that nghttp2 chooses Huffman coding for the value.
  for (const c of chars) headers[`x-keelson-${c}`] = `eeeeeeeeeeeeeeeeeeee${String.fromCharCode(c)}eeeeeeeeeeeeeeeeeeee`;
  const block = await nghttp2Block(headers);
  const fields = new HpackDecoder().decode(block);
  const byName = new Map(fields.map((f) => [f.name, f.value]));
  assert.equal(byName.get(':authority'), 'http://127.0.0.1:2379');
  for (const c of chars) {
    const v = byName.get(`x-keelson-${c}`);
    assert.equal(Buffer.from(v ?? '', 'latin1').toString('latin1'), headers[`x-keelson-${c}`], `octet ${c}`);
  }
  // nghttp2 did Huffman-code: the block is shorter than the values' raw octets.
  const raw = Object.values(headers).reduce((n, v) => n + v.length, 0);
  assert.ok(block.length < raw, `block ${block.length} octets, raw values ${raw}`);
});
