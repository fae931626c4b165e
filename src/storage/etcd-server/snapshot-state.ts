// The etcd-server layer's state in a snapshot: members, users, roles and the auth flag go into
// etcd's buckets when Maintenance.Snapshot streams the store, and a restored snapshot's auth
// tables become the auth state file of the new data dir.
//
// Passwords are bcrypt hashes, as etcd keeps them, carried as they are both ways. (A user whose
// password was set by an older keelson has a scrypt hash, which a real etcd cannot verify: such
// a user needs a new password there, `etcdctl user passwd`.)
import { join } from 'node:path';
import type { AuthRoleRecord, AuthUserRecord } from '../etcd-snapshot/index.js';
import type { SnapshotServerTables } from '../store.js';
import type { AuthState, PermType } from './auth-store.js';
import type { ServerContext } from './context.js';
import { writeJsonAtomic } from './persist.js';

export const AUTH_STATE_FILE = 'keelson-etcd-auth.json';

export function serverSnapshotTables(ctx: ServerContext): SnapshotServerTables {
  const a = ctx.auth.exportState();
  const users: AuthUserRecord[] = Object.values(a.users).map((u) => ({
    name: u.name,
    password: Buffer.from(u.password ?? ''),
    roles: [...u.roles].sort(),
    noPassword: u.noPassword ?? false,
  }));
  const roles: AuthRoleRecord[] = Object.values(a.roles).map((r) => ({
    name: r.name,
    permissions: r.perms.map((p) => ({ permType: p.permType, key: Buffer.from(p.key, 'base64'), rangeEnd: Buffer.from(p.rangeEnd, 'base64') })),
  }));
  const members = ctx.members.list().map((m) => ({ id: m.id, name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: m.isLearner }));
  return { members, authEnabled: a.enabled, authRevision: a.revision, users, roles };
}

/** Write a restored snapshot's auth tables as the data dir's auth state. */
export function installRestoredAuth(dataDir: string, t: Required<Pick<SnapshotServerTables, 'authEnabled' | 'authRevision' | 'users' | 'roles'>>): void {
  const state: AuthState = { enabled: t.authEnabled, revision: Math.max(t.authRevision, 1), users: {}, roles: {} };
  for (const u of t.users) {
    state.users[u.name] = { name: u.name, roles: [...u.roles], ...(u.noPassword ? { noPassword: true } : {}), ...(u.password.length ? { password: u.password.toString() } : {}) };
  }
  for (const r of t.roles) {
    state.roles[r.name] = {
      name: r.name,
      perms: r.permissions.map((p) => ({ permType: p.permType as PermType, key: p.key.toString('base64'), rangeEnd: p.rangeEnd.toString('base64') })),
    };
  }
  writeJsonAtomic(join(dataDir, AUTH_STATE_FILE), state);
}
