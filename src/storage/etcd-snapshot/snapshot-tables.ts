// The small tables of an etcd backend (everything but the key history), as plain records.
import type { AlarmRecord, AuthRoleRecord, AuthUserRecord, LeaseRecord, MemberRecord } from './records.js';

export interface EtcdTables {
  /** meta/consistent_index: the raft index the backend has applied. */
  consistentIndex: bigint;
  /** meta/finishedCompactRev (0: never compacted). */
  compactRevision: number;
  /** meta/scheduledCompactRev (defaults to compactRevision when writing). */
  scheduledCompactRevision?: number;
  leases: LeaseRecord[];
  members: MemberRecord[];
  removedMembers: bigint[];
  /** cluster/clusterVersion, e.g. "3.4.0" (left out when undefined). */
  clusterVersion?: string;
  alarms: AlarmRecord[];
  authEnabled: boolean;
  authRevision: number;
  users: AuthUserRecord[];
  roles: AuthRoleRecord[];
}

export function emptyTables(): EtcdTables {
  return {
    consistentIndex: 0n,
    compactRevision: 0,
    leases: [],
    members: [],
    removedMembers: [],
    alarms: [],
    authEnabled: false,
    authRevision: 0,
    users: [],
    roles: [],
  };
}
