// Direct protobuf encoders for the hot responses (KV Range/Put/DeleteRange/Txn, Watch events),
// from the Store's own types straight into one framed gRPC message: no intermediate proto objects,
// no protobufjs operation lists, one buffer per response. Field numbers are etcd's rpc.proto and
// kv.proto; fields holding their default value are left out, as Go's encoder does.
//
// As etcd, the headers of responses nested in a txn carry only the revision.
import type { DeleteRangeResponse, Event, KeyValue, PutResponse, RangeResponse, ResponseHeader, ResponseOp, TxnResponse, WatchResponse } from '../store.js';
import { FramedMessage, writePrefix } from './grpc/framing.js';
import { delimitedSize, int64Size, PbWriter } from './grpc/pb-writer.js';

// Tags: field number << 3 | wire type (0 varint, 2 length-delimited).
const VARINT = 0;
const LEN = 2;
const tag = (field: number, wire: number) => (field << 3) | wire;

// ---- ResponseHeader: cluster_id 1, member_id 2, revision 3, raft_term 4 ----

/** The encoded cluster_id + member_id fields, for the last ids seen (they never change). */
let ids: { cluster: bigint; member: bigint; bytes: Buffer } | undefined;

function idBytes(h: ResponseHeader): Buffer {
  if (ids && ids.cluster === h.clusterId && ids.member === h.memberId) return ids.bytes;
  const size = (h.clusterId ? 1 + int64Size(h.clusterId) : 0) + (h.memberId ? 1 + int64Size(h.memberId) : 0);
  const w = new PbWriter(size);
  if (h.clusterId) {
    w.uvarint(tag(1, VARINT));
    w.int64(h.clusterId);
  }
  if (h.memberId) {
    w.uvarint(tag(2, VARINT));
    w.int64(h.memberId);
  }
  ids = { cluster: h.clusterId, member: h.memberId, bytes: w.buf };
  return w.buf;
}

function headerSize(h: ResponseHeader, nested: boolean): number {
  let n = h.revision ? 1 + int64Size(h.revision) : 0;
  if (!nested) n += idBytes(h).length + (h.raftTerm ? 1 + int64Size(h.raftTerm) : 0);
  return n;
}

function writeHeader(w: PbWriter, field: number, h: ResponseHeader, nested: boolean): void {
  w.uvarint(tag(field, LEN));
  w.uvarint(headerSize(h, nested));
  if (!nested) w.raw(idBytes(h));
  if (h.revision) {
    w.uvarint(tag(3, VARINT));
    w.int64(h.revision);
  }
  if (!nested && h.raftTerm) {
    w.uvarint(tag(4, VARINT));
    w.int64(h.raftTerm);
  }
}

// ---- KeyValue: key 1, create_revision 2, mod_revision 3, version 4, value 5, lease 6 ----

function kvSize(kv: KeyValue): number {
  let n = 0;
  if (kv.key.length) n += 1 + delimitedSize(kv.key.length);
  if (kv.createRevision) n += 1 + int64Size(kv.createRevision);
  if (kv.modRevision) n += 1 + int64Size(kv.modRevision);
  if (kv.version) n += 1 + int64Size(kv.version);
  if (kv.value.length) n += 1 + delimitedSize(kv.value.length);
  if (kv.lease) n += 1 + int64Size(kv.lease);
  return n;
}

function writeKv(w: PbWriter, field: number, kv: KeyValue, size: number): void {
  w.uvarint(tag(field, LEN));
  w.uvarint(size);
  if (kv.key.length) {
    w.uvarint(tag(1, LEN));
    w.bytes(kv.key);
  }
  if (kv.createRevision) {
    w.uvarint(tag(2, VARINT));
    w.int64(kv.createRevision);
  }
  if (kv.modRevision) {
    w.uvarint(tag(3, VARINT));
    w.int64(kv.modRevision);
  }
  if (kv.version) {
    w.uvarint(tag(4, VARINT));
    w.int64(kv.version);
  }
  if (kv.value.length) {
    w.uvarint(tag(5, LEN));
    w.bytes(kv.value);
  }
  if (kv.lease) {
    w.uvarint(tag(6, VARINT));
    w.int64(kv.lease);
  }
}

/** Size of a length-delimited field (tag + length + body) of a body of `n` bytes. */
const field = (n: number) => 1 + delimitedSize(n);

// ---- RangeResponse: header 1, kvs 2, more 3, count 4 ----

function rangeSize(r: RangeResponse, nested: boolean, kvSizes: number[]): number {
  let n = field(headerSize(r.header, nested));
  for (const kv of r.kvs) {
    const s = kvSize(kv);
    kvSizes.push(s);
    n += field(s);
  }
  if (r.more) n += 2;
  if (r.count) n += 1 + int64Size(r.count);
  return n;
}

function writeRange(w: PbWriter, r: RangeResponse, nested: boolean, kvSizes: number[]): void {
  writeHeader(w, 1, r.header, nested);
  for (let i = 0; i < r.kvs.length; i++) writeKv(w, 2, r.kvs[i], kvSizes[i]);
  if (r.more) {
    w.uvarint(tag(3, VARINT));
    w.uvarint(1);
  }
  if (r.count) {
    w.uvarint(tag(4, VARINT));
    w.int64(r.count);
  }
}

// ---- PutResponse: header 1, prev_kv 2 ----

function putSize(r: PutResponse, nested: boolean): number {
  return field(headerSize(r.header, nested)) + (r.prevKv ? field(kvSize(r.prevKv)) : 0);
}

function writePut(w: PbWriter, r: PutResponse, nested: boolean): void {
  writeHeader(w, 1, r.header, nested);
  if (r.prevKv) writeKv(w, 2, r.prevKv, kvSize(r.prevKv));
}

// ---- DeleteRangeResponse: header 1, deleted 2, prev_kvs 3 ----

function deleteSize(r: DeleteRangeResponse, nested: boolean): number {
  let n = field(headerSize(r.header, nested));
  if (r.deleted) n += 1 + int64Size(r.deleted);
  for (const kv of r.prevKvs) n += field(kvSize(kv));
  return n;
}

function writeDelete(w: PbWriter, r: DeleteRangeResponse, nested: boolean): void {
  writeHeader(w, 1, r.header, nested);
  if (r.deleted) {
    w.uvarint(tag(2, VARINT));
    w.int64(r.deleted);
  }
  for (const kv of r.prevKvs) writeKv(w, 3, kv, kvSize(kv));
}

// ---- TxnResponse: header 1, succeeded 2, responses 3 (ResponseOp: range 1, put 2, delete 3, txn 4) ----

function opBodySize(op: ResponseOp): number {
  if ('responseRange' in op) return field(rangeSize(op.responseRange, true, []));
  if ('responsePut' in op) return field(putSize(op.responsePut, true));
  if ('responseDeleteRange' in op) return field(deleteSize(op.responseDeleteRange, true));
  return field(txnSize(op.responseTxn, true));
}

function txnSize(r: TxnResponse, nested: boolean): number {
  let n = field(headerSize(r.header, nested));
  if (r.succeeded) n += 2;
  for (const op of r.responses) n += field(opBodySize(op));
  return n;
}

function writeOp(w: PbWriter, op: ResponseOp): void {
  w.uvarint(tag(3, LEN));
  w.uvarint(opBodySize(op));
  if ('responseRange' in op) {
    const sizes: number[] = [];
    const n = rangeSize(op.responseRange, true, sizes);
    w.uvarint(tag(1, LEN));
    w.uvarint(n);
    writeRange(w, op.responseRange, true, sizes);
  } else if ('responsePut' in op) {
    w.uvarint(tag(2, LEN));
    w.uvarint(putSize(op.responsePut, true));
    writePut(w, op.responsePut, true);
  } else if ('responseDeleteRange' in op) {
    w.uvarint(tag(3, LEN));
    w.uvarint(deleteSize(op.responseDeleteRange, true));
    writeDelete(w, op.responseDeleteRange, true);
  } else {
    w.uvarint(tag(4, LEN));
    w.uvarint(txnSize(op.responseTxn, true));
    writeTxn(w, op.responseTxn, true);
  }
}

function writeTxn(w: PbWriter, r: TxnResponse, nested: boolean): void {
  writeHeader(w, 1, r.header, nested);
  if (r.succeeded) {
    w.uvarint(tag(2, VARINT));
    w.uvarint(1);
  }
  for (const op of r.responses) writeOp(w, op);
}

// ---- WatchResponse: header 1, watch_id 2, created 3, canceled 4, compact_revision 5,
//      cancel_reason 6, fragment 7, events 11 (Event: type 1, kv 2, prev_kv 3) ----

export interface WatchResponseFields {
  watchId: number;
  created?: boolean;
  canceled?: boolean;
  fragment?: boolean;
}

function eventSize(e: Event): number {
  return (e.type === 'DELETE' ? 2 : 0) + field(kvSize(e.kv)) + (e.prevKv ? field(kvSize(e.prevKv)) : 0);
}

/**
 * The encoded body of an Event message, for the last few events seen: one put fans out to every
 * watcher of its key with the same KeyValue objects (the hub makes a new Event per watcher when it
 * drops or adds prev_kv), so its bytes are built once and copied into each watcher's response.
 * Events over CACHED_EVENT_MAX bytes are written directly instead (bounded memory; their copy
 * costs more than their encoding).
 */
const EVENT_CACHE = 16;
const CACHED_EVENT_MAX = 16 * 1024;
const cachedKv: Array<KeyValue | undefined> = new Array<KeyValue | undefined>(EVENT_CACHE);
const cachedPrev: Array<KeyValue | undefined> = new Array<KeyValue | undefined>(EVENT_CACHE);
const cachedDelete: boolean[] = new Array<boolean>(EVENT_CACHE);
const cachedBytes: Buffer[] = new Array<Buffer>(EVENT_CACHE);
let nextSlot = 0;

function writeEventBody(w: PbWriter, e: Event): void {
  if (e.type === 'DELETE') {
    w.uvarint(tag(1, VARINT));
    w.uvarint(1);
  }
  writeKv(w, 2, e.kv, kvSize(e.kv));
  if (e.prevKv) writeKv(w, 3, e.prevKv, kvSize(e.prevKv));
}

/** The cached body of a small event, or undefined for a large one. */
function cachedEvent(e: Event): Buffer | undefined {
  const del = e.type === 'DELETE';
  for (let i = 0; i < EVENT_CACHE; i++) {
    if (cachedKv[i] === e.kv && cachedPrev[i] === e.prevKv && cachedDelete[i] === del) return cachedBytes[i];
  }
  const size = eventSize(e);
  if (size > CACHED_EVENT_MAX) return undefined;
  const w = new PbWriter(size);
  writeEventBody(w, e);
  cachedKv[nextSlot] = e.kv;
  cachedPrev[nextSlot] = e.prevKv;
  cachedDelete[nextSlot] = del;
  cachedBytes[nextSlot] = w.buf;
  nextSlot = (nextSlot + 1) % EVENT_CACHE;
  return w.buf;
}

/** Body size of a WatchResponse (without the 5-byte gRPC prefix). */
export function watchSize(r: WatchResponse, f: WatchResponseFields): number {
  let n = field(headerSize(r.header, false));
  if (f.watchId) n += 1 + int64Size(f.watchId);
  if (f.created) n += 2;
  if (f.canceled || r.canceled) n += 2;
  if (r.compactRevision) n += 1 + int64Size(r.compactRevision);
  if (r.cancelReason) n += field(Buffer.byteLength(r.cancelReason));
  if (f.fragment) n += 2;
  for (const e of r.events) n += field(cachedEvent(e)?.length ?? eventSize(e));
  return n;
}

/** Write a WatchResponse body (sized by watchSize) at the writer's position. */
export function writeWatch(w: PbWriter, r: WatchResponse, f: WatchResponseFields): void {
  writeHeader(w, 1, r.header, false);
  if (f.watchId) {
    w.uvarint(tag(2, VARINT));
    w.int64(f.watchId);
  }
  if (f.created) {
    w.uvarint(tag(3, VARINT));
    w.uvarint(1);
  }
  if (f.canceled || r.canceled) {
    w.uvarint(tag(4, VARINT));
    w.uvarint(1);
  }
  if (r.compactRevision) {
    w.uvarint(tag(5, VARINT));
    w.int64(r.compactRevision);
  }
  if (r.cancelReason) {
    w.uvarint(tag(6, LEN));
    w.string(r.cancelReason);
  }
  if (f.fragment) {
    w.uvarint(tag(7, VARINT));
    w.uvarint(1);
  }
  for (const e of r.events) {
    w.uvarint(tag(11, LEN));
    const cached = cachedEvent(e);
    if (cached) w.bytes(cached);
    else {
      w.uvarint(eventSize(e));
      writeEventBody(w, e);
    }
  }
}

// ---- framed messages ----

function framed(size: number, write: (w: PbWriter) => void): FramedMessage {
  const w = new PbWriter(size, 5);
  writePrefix(w.buf, size);
  write(w);
  if (w.pos !== w.buf.length) throw new Error(`response encoder wrote ${w.pos - 5} bytes, sized ${size}`);
  return new FramedMessage(w.buf);
}

export function encodeRangeResponse(r: RangeResponse): FramedMessage {
  const sizes: number[] = [];
  return framed(rangeSize(r, false, sizes), (w) => writeRange(w, r, false, sizes));
}

export function encodePutResponse(r: PutResponse): FramedMessage {
  return framed(putSize(r, false), (w) => writePut(w, r, false));
}

export function encodeDeleteRangeResponse(r: DeleteRangeResponse): FramedMessage {
  return framed(deleteSize(r, false), (w) => writeDelete(w, r, false));
}

export function encodeTxnResponse(r: TxnResponse): FramedMessage {
  return framed(txnSize(r, false), (w) => writeTxn(w, r, false));
}

export function encodeWatchResponse(r: WatchResponse, f: WatchResponseFields): FramedMessage {
  return framed(watchSize(r, f), (w) => writeWatch(w, r, f));
}
