// etcd's auth store (etcd 3.4 auth/store.go): users, roles, key-range permissions, enable/disable,
// simple tokens. Rules and error messages as etcd's; state persisted in one JSON file in the data dir.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { storeError } from '../errors.js';
import { readJson, writeJsonAtomic } from './persist.js';
import { bcryptHash, bcryptVerify, DEFAULT_BCRYPT_COST } from './bcrypt.js';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

export type PermType = 'READ' | 'WRITE' | 'READWRITE';

export interface Permission {
  permType: PermType;
  key: Buffer;
  rangeEnd: Buffer;
}

export interface AuthInfo {
  username: string;
}

export interface UserRec {
  name: string;
  /** A bcrypt hash as etcd's ($2a$10$...), or scrypt$<salt b64>$<hash b64> from older versions; absent with noPassword. */
  password?: string;
  roles: string[];
  noPassword?: boolean;
}

export interface RoleRec {
  name: string;
  perms: Array<{ permType: PermType; key: string; rangeEnd: string }>;
}

export interface AuthState {
  enabled: boolean;
  revision: number;
  users: Record<string, UserRec>;
  roles: Record<string, RoleRec>;
}

const ROOT = 'root';
/** etcd's simple tokens live 5 minutes after their last use. */
const TOKEN_TTL_MS = 5 * 60 * 1000;

export class AuthStore {
  private state: AuthState;
  private readonly tokens = new Map<string, { username: string; expires: number }>();
  private tokenIndex = 0;

  constructor(private readonly file?: string) {
    this.state = readJson<AuthState>(file) ?? { enabled: false, revision: 1, users: {}, roles: {} };
  }

  get enabled(): boolean {
    return this.state.enabled;
  }

  /** A copy of the persisted state (what a snapshot carries). */
  exportState(): AuthState {
    return structuredClone(this.state);
  }

  private save(): void {
    this.state.revision++;
    writeJsonAtomic(this.file, this.state);
  }

  // ---- tokens ----

  tokenInfo(token: string): AuthInfo | undefined {
    const t = this.tokens.get(token);
    if (!t) return undefined;
    const now = Date.now();
    if (t.expires < now) {
      this.tokens.delete(token);
      return undefined;
    }
    t.expires = now + TOKEN_TTL_MS;
    return { username: t.username };
  }

  async authenticate(name: string, password: string): Promise<string> {
    if (!this.state.enabled) throw storeError('AuthNotEnabled');
    const u = this.state.users[name];
    if (!u || u.noPassword || !u.password || !(await checkPassword(u.password, password))) throw storeError('AuthFailed');
    // etcd's simple token: 16 random letters, a dot, an index.
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const rnd = randomBytes(16);
    let tok = '';
    for (const b of rnd) tok += letters[b % letters.length];
    tok += `.${++this.tokenIndex}`;
    this.tokens.set(tok, { username: name, expires: Date.now() + TOKEN_TTL_MS });
    return tok;
  }

  // ---- permission checks (no-ops while auth is disabled) ----

  private hasRootRole(name: string): boolean {
    return this.state.users[name]?.roles.includes(ROOT) ?? false;
  }

  isAdminPermitted(info: AuthInfo | undefined): void {
    if (!this.state.enabled) return;
    if (!info || !info.username) throw storeError('UserEmpty');
    if (!this.state.users[info.username]) throw storeError('UserNotFound');
    if (!this.hasRootRole(info.username)) throw storeError('PermissionDenied');
  }

  /** Is `info` allowed `perm` on [key, rangeEnd) (a single key when rangeEnd is empty)? Throws as etcd. */
  checkRange(info: AuthInfo | undefined, key: Buffer, rangeEnd: Buffer | undefined, perm: 'READ' | 'WRITE'): void {
    if (!this.state.enabled) return;
    if (!info || !info.username) throw storeError('UserEmpty');
    const u = this.state.users[info.username];
    if (!u) throw storeError('PermissionDenied');
    if (u.roles.includes(ROOT)) return;
    const ivs: Array<{ start: Buffer; end: Buffer | null }> = [];
    for (const r of u.roles) {
      for (const p of this.state.roles[r]?.perms ?? []) {
        if (p.permType !== 'READWRITE' && p.permType !== perm) continue;
        const k = Buffer.from(p.key, 'base64');
        const e = Buffer.from(p.rangeEnd, 'base64');
        if (e.length === 0) ivs.push({ start: k, end: Buffer.concat([k, Buffer.from([0])]) });
        else ivs.push({ start: k, end: e.length === 1 && e[0] === 0 ? null : e });
      }
    }
    if (!rangeEnd || rangeEnd.length === 0) {
      if (ivs.some((iv) => Buffer.compare(iv.start, key) <= 0 && (iv.end === null || Buffer.compare(key, iv.end) < 0))) return;
      throw storeError('PermissionDenied');
    }
    const end = rangeEnd.length === 1 && rangeEnd[0] === 0 ? null : rangeEnd;
    ivs.sort((a, b) => Buffer.compare(a.start, b.start));
    let cur = key;
    for (const iv of ivs) {
      if (Buffer.compare(iv.start, cur) > 0) break;
      if (iv.end === null) return;
      if (Buffer.compare(iv.end, cur) > 0) cur = iv.end;
      if (end !== null && Buffer.compare(cur, end) >= 0) return;
    }
    throw storeError('PermissionDenied');
  }

  hasRole(username: string | undefined, role: string): boolean {
    return !!username && (this.state.users[username]?.roles.includes(role) ?? false);
  }

  // ---- management ----

  authEnable(): void {
    if (this.state.enabled) return;
    const root = this.state.users[ROOT];
    if (!root) throw storeError('RootUserNotExist');
    if (!root.roles.includes(ROOT)) throw storeError('RootRoleNotExist');
    this.state.enabled = true;
    this.tokens.clear();
    this.save();
  }

  authDisable(): void {
    if (!this.state.enabled) return;
    this.state.enabled = false;
    this.tokens.clear();
    this.save();
  }

  async userAdd(name: string, password: string, noPassword: boolean): Promise<void> {
    if (!name) throw storeError('UserEmpty');
    if (this.state.users[name]) throw storeError('UserAlreadyExist');
    const rec: UserRec = { name, roles: [] };
    if (noPassword) rec.noPassword = true;
    else rec.password = await hashPassword(password);
    if (this.state.users[name]) throw storeError('UserAlreadyExist');
    this.state.users[name] = rec;
    this.save();
  }

  userDelete(name: string): void {
    if (this.state.enabled && name === ROOT) throw storeError('InvalidAuthMgmt');
    if (!this.state.users[name]) throw storeError('UserNotFound');
    delete this.state.users[name];
    for (const [tok, t] of this.tokens) if (t.username === name) this.tokens.delete(tok);
    this.save();
  }

  async userChangePassword(name: string, password: string): Promise<void> {
    if (!this.state.users[name]) throw storeError('UserNotFound');
    const hash = await hashPassword(password);
    const u = this.state.users[name];
    if (!u) throw storeError('UserNotFound');
    u.password = hash;
    delete u.noPassword;
    this.save();
  }

  userGrantRole(user: string, role: string): void {
    const u = this.state.users[user];
    if (!u) throw storeError('UserNotFound');
    if (role !== ROOT && !this.state.roles[role]) throw storeError('RoleNotFound');
    if (u.roles.includes(role)) return;
    u.roles.push(role);
    u.roles.sort();
    this.save();
  }

  userRevokeRole(name: string, role: string): void {
    if (this.state.enabled && name === ROOT && role === ROOT) throw storeError('InvalidAuthMgmt');
    const u = this.state.users[name];
    if (!u) throw storeError('UserNotFound');
    if (!u.roles.includes(role)) throw storeError('RoleNotGranted');
    u.roles = u.roles.filter((r) => r !== role);
    this.save();
  }

  userGet(name: string): string[] {
    const u = this.state.users[name];
    if (!u) throw storeError('UserNotFound');
    return [...u.roles];
  }

  userList(): string[] {
    return Object.keys(this.state.users).sort();
  }

  roleAdd(name: string): void {
    if (!name) throw storeError('RoleEmpty');
    if (this.state.roles[name]) throw storeError('RoleAlreadyExist');
    this.state.roles[name] = { name, perms: [] };
    this.save();
  }

  roleGet(name: string): Permission[] {
    const r = this.state.roles[name];
    if (!r) throw storeError('RoleNotFound');
    return r.perms.map((p) => ({ permType: p.permType, key: Buffer.from(p.key, 'base64'), rangeEnd: Buffer.from(p.rangeEnd, 'base64') }));
  }

  roleList(): string[] {
    return Object.keys(this.state.roles).sort();
  }

  roleDelete(name: string): void {
    if (this.state.enabled && name === ROOT) throw storeError('InvalidAuthMgmt');
    if (!this.state.roles[name]) throw storeError('RoleNotFound');
    delete this.state.roles[name];
    for (const u of Object.values(this.state.users)) u.roles = u.roles.filter((r) => r !== name);
    this.save();
  }

  roleGrantPermission(name: string, perm: Permission): void {
    const r = this.state.roles[name];
    if (!r) throw storeError('RoleNotFound');
    const key = perm.key.toString('base64');
    const rangeEnd = perm.rangeEnd.toString('base64');
    const same = r.perms.find((p) => p.key === key && p.rangeEnd === rangeEnd);
    if (same) same.permType = perm.permType;
    else {
      r.perms.push({ permType: perm.permType, key, rangeEnd });
      r.perms.sort((a, b) => Buffer.compare(Buffer.from(a.key, 'base64'), Buffer.from(b.key, 'base64')));
    }
    this.save();
  }

  roleRevokePermission(name: string, key: Buffer, rangeEnd: Buffer): void {
    const r = this.state.roles[name];
    if (!r) throw storeError('RoleNotFound');
    const k = key.toString('base64');
    const e = rangeEnd.toString('base64');
    const i = r.perms.findIndex((p) => p.key === k && p.rangeEnd === e);
    if (i < 0) throw storeError('PermissionNotGranted');
    r.perms.splice(i, 1);
    this.save();
  }
}

/** bcrypt, as etcd stores passwords (so snapshots carry hashes a real etcd verifies). */
function hashPassword(pw: string): Promise<string> {
  return bcryptHash(pw, DEFAULT_BCRYPT_COST);
}

/** bcrypt hashes (etcd's and ours), and the scrypt hashes older keelson versions stored. */
async function checkPassword(stored: string, pw: string): Promise<boolean> {
  if (stored.startsWith('$2')) return bcryptVerify(stored, pw);
  const [kind, salt, hash] = stored.split('$');
  if (kind !== 'scrypt') return false;
  if (!salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scryptAsync(pw, Buffer.from(salt, 'base64'), want.length);
  return timingSafeEqual(want, got);
}
