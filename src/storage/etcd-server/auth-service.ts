// etcdserverpb.Auth: users, roles, permissions, enable/disable, authenticate (etcd 3.4 rules: which
// calls need the root role, which a user may make about itself).
import type { ServiceImplementation } from './grpc/server.js';
import { bytes, headerToPb } from '../etcd-proto/index.js';
import type { PermType } from './auth-store.js';
import type { ServerContext } from './context.js';
import type { CallInfo } from './grpc-util.js';
import { unary } from './grpc-util.js';

const PERM_TYPES: PermType[] = ['READ', 'WRITE', 'READWRITE'];
const PERM_PB = ['Read', 'Write', 'Readwrite'];

function permTypeFromPb(v: unknown): PermType {
  if (typeof v === 'number') return PERM_TYPES[v] ?? 'READ';
  const s = String(v ?? 'READ').toUpperCase();
  return (PERM_TYPES as string[]).includes(s) ? (s as PermType) : 'READ';
}

type Pb = Record<string, any>;

export function authService(ctx: ServerContext): ServiceImplementation {
  const a = ctx.auth;
  const header = async () => ({ header: headerToPb(await ctx.header()) });
  /** An admin-only call (etcd's needAdminPermission). */
  const admin = (method: string, fn: (pb: Pb, info: CallInfo) => Promise<Pb | void>) =>
    unary<Pb, unknown>(ctx, `Auth/${method}`, async (pb, info) => {
      a.isAdminPermitted(info.auth);
      const extra = await fn(pb, info);
      return { ...(await header()), ...(extra ?? {}) };
    });
  return {
    AuthEnable: admin('AuthEnable', async () => a.authEnable()),
    AuthDisable: admin('AuthDisable', async () => a.authDisable()),
    AuthStatus: unary<Pb, unknown>(ctx, 'Auth/AuthStatus', async () => ({ ...(await header()), enabled: a.enabled, authRevision: '0' })),
    Authenticate: unary<Pb, unknown>(ctx, 'Auth/Authenticate', async (pb) => {
      const token = await a.authenticate(String(pb.name ?? ''), String(pb.password ?? ''));
      return { ...(await header()), token };
    }),
    UserAdd: admin('UserAdd', async (pb) => a.userAdd(String(pb.name ?? ''), String(pb.password ?? ''), !!pb.options?.no_password)),
    UserDelete: admin('UserDelete', async (pb) => a.userDelete(String(pb.name ?? ''))),
    UserChangePassword: admin('UserChangePassword', async (pb) => a.userChangePassword(String(pb.name ?? ''), String(pb.password ?? ''))),
    UserGrantRole: admin('UserGrantRole', async (pb) => a.userGrantRole(String(pb.user ?? ''), String(pb.role ?? ''))),
    UserRevokeRole: admin('UserRevokeRole', async (pb) => a.userRevokeRole(String(pb.name ?? ''), String(pb.role ?? ''))),
    UserList: admin('UserList', async () => ({ users: a.userList() })),
    RoleAdd: admin('RoleAdd', async (pb) => a.roleAdd(String(pb.name ?? ''))),
    RoleDelete: admin('RoleDelete', async (pb) => a.roleDelete(String(pb.role ?? ''))),
    RoleList: admin('RoleList', async () => ({ roles: a.roleList() })),
    RoleGrantPermission: admin('RoleGrantPermission', async (pb) =>
      a.roleGrantPermission(String(pb.name ?? ''), {
        permType: permTypeFromPb(pb.perm?.permType),
        key: bytes(pb.perm?.key),
        rangeEnd: bytes(pb.perm?.range_end),
      }),
    ),
    RoleRevokePermission: admin('RoleRevokePermission', async (pb) => a.roleRevokePermission(String(pb.role ?? ''), bytes(pb.key), bytes(pb.range_end))),
    // A user may read itself, and the roles it has, without the root role.
    UserGet: unary<Pb, unknown>(ctx, 'Auth/UserGet', async (pb, info) => {
      const name = String(pb.name ?? '');
      try {
        a.isAdminPermitted(info.auth);
      } catch (e) {
        if (info.auth?.username !== name) throw e;
      }
      return { ...(await header()), roles: a.userGet(name) };
    }),
    RoleGet: unary<Pb, unknown>(ctx, 'Auth/RoleGet', async (pb, info) => {
      const role = String(pb.role ?? '');
      try {
        a.isAdminPermitted(info.auth);
      } catch (e) {
        if (!a.hasRole(info.auth?.username, role)) throw e;
      }
      const perm = a.roleGet(role).map((p) => ({ permType: PERM_PB[PERM_TYPES.indexOf(p.permType)], key: p.key, range_end: p.rangeEnd }));
      return { ...(await header()), perm };
    }),
  };
}
