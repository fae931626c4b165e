// etcd 3.4 snapshot files (bbolt with etcd's buckets + sha256 trailer) from/to plain records,
// and etcd's HashKV over history rows. See records.ts for the bucket layout.
export { writeEtcdSnapshot, etcdBuckets, fileSha256, type EtcdSnapshotSource } from './write-snapshot.js';
export { openEtcdSnapshot, type OpenedEtcdSnapshot } from './read-snapshot.js';
export { hashKV, type HashKVOptions, type HashKVResult } from './hash-kv.js';
export { emptyTables, type EtcdTables } from './snapshot-tables.js';
export type { HistoryRow, LeaseRecord, MemberRecord, AlarmRecord, AuthUserRecord, AuthRoleRecord, PermissionRecord } from './records.js';
