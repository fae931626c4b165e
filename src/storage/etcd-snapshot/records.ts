// The plain records an etcd 3.4 backend holds, and their encodings in its bbolt buckets:
//   key       revision bytes (main u64 BE, '_', sub u64 BE, + 't' for a tombstone) -> mvccpb.KeyValue
//   meta      consistent_index -> u64 BE; finishedCompactRev / scheduledCompactRev -> revision bytes
//   lease     lease id (u64 BE) -> leasepb.Lease {ID, TTL, RemainingTTL}
//   members   member id (hex) -> JSON {id, peerURLs, isLearner?, name?, clientURLs?}
//   members_removed  member id (hex) -> "removed"
//   cluster   clusterVersion -> "3.4.0"
//   alarm     etcdserverpb.AlarmMember {MemberID, Alarm} -> empty
//   auth      authEnabled -> 0x00/0x01; authRevision -> u64 BE
//   authUsers name -> authpb.User {name, password, roles, options{no_password}}
//   authRoles name -> authpb.Role {name, keyPermission[] {permType, key, range_end}}
import { ProtoWriter, int64, readProto } from './proto-wire.js';

/** One row of the key history: a put (a full KeyValue) or a delete (a tombstone, key only). */
export interface HistoryRow {
  key: Buffer;
  /** The revision of the write (main) and the position inside its transaction (sub). */
  main: number;
  sub: number;
  tombstone: boolean;
  /** For puts; 0 / empty / 0n on a tombstone, as etcd stores it. */
  createRevision: number;
  modRevision: number;
  version: number;
  value: Buffer;
  lease: bigint;
}

export interface LeaseRecord {
  id: bigint;
  /** Granted TTL in seconds. */
  ttl: number;
  /** Checkpointed remaining TTL (0 = none). */
  remainingTtl?: number;
}

export interface MemberRecord {
  id: bigint;
  name?: string;
  peerURLs: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

export type AlarmType = 'NONE' | 'NOSPACE' | 'CORRUPT';
export interface AlarmRecord {
  memberId: bigint;
  alarm: AlarmType;
}

export type PermissionType = 'READ' | 'WRITE' | 'READWRITE';
export interface PermissionRecord {
  permType: PermissionType;
  key: Buffer;
  rangeEnd: Buffer;
}

export interface AuthUserRecord {
  name: string;
  /** The bcrypt hash as stored (empty for a user without a password). */
  password: Buffer;
  roles: string[];
  /** UserAddOptions.no_password; undefined = no options stored (users made before etcd 3.4). */
  noPassword?: boolean;
}

export interface AuthRoleRecord {
  name: string;
  permissions: PermissionRecord[];
}

export const REV_BYTES = 17;

/** A non-negative safe integer as a big-endian u64. */
function writeU64BE(b: Buffer, v: number, off: number): void {
  b.writeUInt32BE(Math.floor(v / 0x100000000), off);
  b.writeUInt32BE(v % 0x100000000, off + 4);
}

export function encodeRevision(main: number, sub: number, tombstone = false): Buffer {
  const b = Buffer.alloc(REV_BYTES + (tombstone ? 1 : 0));
  writeU64BE(b, main, 0);
  b[8] = 0x5f; // '_'
  writeU64BE(b, sub, 9);
  if (tombstone) b[17] = 0x74; // 't'
  return b;
}

export function decodeRevision(b: Buffer): { main: number; sub: number; tombstone: boolean } {
  if (b.length < REV_BYTES || b[8] !== 0x5f) throw new Error(`etcd snapshot: ${b.toString('hex')} is not a revision key`);
  return {
    main: b.readUInt32BE(0) * 0x100000000 + b.readUInt32BE(4),
    sub: b.readUInt32BE(9) * 0x100000000 + b.readUInt32BE(13),
    tombstone: b.length === REV_BYTES + 1 && b[17] === 0x74,
  };
}

export function encodeKeyValue(r: HistoryRow): Buffer {
  const w = new ProtoWriter().bytes(1, r.key);
  if (r.tombstone) return w.finish();
  return w.int(2, r.createRevision).int(3, r.modRevision).int(4, r.version).bytes(5, r.value).int(6, r.lease).finish();
}

export function decodeHistoryRow(revKey: Buffer, kv: Buffer): HistoryRow {
  const rev = decodeRevision(revKey);
  const row: HistoryRow = { key: Buffer.alloc(0), ...rev, createRevision: 0, modRevision: 0, version: 0, value: Buffer.alloc(0), lease: 0n };
  for (const f of readProto(kv)) {
    if (f.field === 1 && f.bytes) row.key = Buffer.from(f.bytes);
    else if (f.field === 2) row.createRevision = Number(int64(f.int));
    else if (f.field === 3) row.modRevision = Number(int64(f.int));
    else if (f.field === 4) row.version = Number(int64(f.int));
    else if (f.field === 5 && f.bytes) row.value = Buffer.from(f.bytes);
    else if (f.field === 6) row.lease = int64(f.int);
  }
  return row;
}

export const u64be = (v: bigint | number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  return b;
};

export function encodeLease(l: LeaseRecord): Buffer {
  return new ProtoWriter().int(1, l.id).int(2, l.ttl).int(3, l.remainingTtl ?? 0).finish();
}

export function decodeLease(v: Buffer): LeaseRecord {
  const l: LeaseRecord = { id: 0n, ttl: 0 };
  for (const f of readProto(v)) {
    if (f.field === 1) l.id = int64(f.int);
    else if (f.field === 2) l.ttl = Number(int64(f.int));
    else if (f.field === 3 && f.int) l.remainingTtl = Number(int64(f.int));
  }
  return l;
}

/** Member ids are keys in hex without padding (types.ID.String()). */
export const memberKey = (id: bigint): Buffer => Buffer.from(id.toString(16));

export function encodeMember(m: MemberRecord): Buffer {
  // Go's encoding/json of membership.Member; the id is a JSON number (uint64), written exactly.
  const parts = [`"id":${m.id.toString()}`, `"peerURLs":${JSON.stringify(m.peerURLs)}`];
  if (m.isLearner) parts.push('"isLearner":true');
  if (m.name) parts.push(`"name":${JSON.stringify(m.name)}`);
  if (m.clientURLs?.length) parts.push(`"clientURLs":${JSON.stringify(m.clientURLs)}`);
  return Buffer.from(`{${parts.join(',')}}`);
}

export function decodeMember(key: Buffer, v: Buffer): MemberRecord {
  const j = JSON.parse(v.toString()) as { peerURLs?: string[]; clientURLs?: string[]; name?: string; isLearner?: boolean };
  const m: MemberRecord = { id: BigInt(`0x${key.toString()}`), peerURLs: j.peerURLs ?? [] };
  if (j.name) m.name = j.name;
  if (j.clientURLs?.length) m.clientURLs = j.clientURLs;
  if (j.isLearner) m.isLearner = true;
  return m;
}

const ALARMS: AlarmType[] = ['NONE', 'NOSPACE', 'CORRUPT'];
export const encodeAlarm = (a: AlarmRecord): Buffer => new ProtoWriter().int(1, a.memberId).int(2, ALARMS.indexOf(a.alarm)).finish();
export function decodeAlarm(k: Buffer): AlarmRecord {
  const a: AlarmRecord = { memberId: 0n, alarm: 'NONE' };
  for (const f of readProto(k)) {
    if (f.field === 1) a.memberId = f.int ?? 0n;
    else if (f.field === 2) a.alarm = ALARMS[Number(f.int)] ?? 'NONE';
  }
  return a;
}

export function encodeUser(u: AuthUserRecord): Buffer {
  const w = new ProtoWriter().bytes(1, u.name).bytes(2, u.password);
  for (const r of u.roles) w.bytes(3, r, true);
  if (u.noPassword !== undefined) w.bytes(4, new ProtoWriter().int(1, u.noPassword).finish(), true);
  return w.finish();
}

export function decodeUser(v: Buffer): AuthUserRecord {
  const u: AuthUserRecord = { name: '', password: Buffer.alloc(0), roles: [] };
  for (const f of readProto(v)) {
    if (f.field === 1 && f.bytes) u.name = f.bytes.toString();
    else if (f.field === 2 && f.bytes) u.password = Buffer.from(f.bytes);
    else if (f.field === 3 && f.bytes) u.roles.push(f.bytes.toString());
    else if (f.field === 4 && f.bytes) u.noPassword = readProto(f.bytes).some((o) => o.field === 1 && o.int === 1n);
  }
  return u;
}

const PERMS: PermissionType[] = ['READ', 'WRITE', 'READWRITE'];
export function encodeRole(r: AuthRoleRecord): Buffer {
  const w = new ProtoWriter().bytes(1, r.name);
  for (const p of r.permissions) {
    w.bytes(2, new ProtoWriter().int(1, PERMS.indexOf(p.permType)).bytes(2, p.key).bytes(3, p.rangeEnd).finish(), true);
  }
  return w.finish();
}

export function decodeRole(v: Buffer): AuthRoleRecord {
  const r: AuthRoleRecord = { name: '', permissions: [] };
  for (const f of readProto(v)) {
    if (f.field === 1 && f.bytes) r.name = f.bytes.toString();
    else if (f.field === 2 && f.bytes) {
      const p: PermissionRecord = { permType: 'READ', key: Buffer.alloc(0), rangeEnd: Buffer.alloc(0) };
      for (const g of readProto(f.bytes)) {
        if (g.field === 1) p.permType = PERMS[Number(g.int)] ?? 'READ';
        else if (g.field === 2 && g.bytes) p.key = Buffer.from(g.bytes);
        else if (g.field === 3 && g.bytes) p.rangeEnd = Buffer.from(g.bytes);
      }
      r.permissions.push(p);
    }
  }
  return r;
}
