// etcd's v2 keyspace (etcd 3.4 store/): a tree of directories and files, one global index, TTLs,
// compare-and-swap/delete, an event history of the last 1000 events for wait/waitIndex watches.
// Separate from the v3 keyspace, as in etcd; persisted as one JSON file in the data dir.
import { readJson, writeJsonAtomic } from '../persist.js';

export interface NodeExtern {
  key?: string;
  dir?: true;
  value?: string;
  nodes?: NodeExtern[];
  expiration?: string;
  ttl?: number;
  modifiedIndex?: number;
  createdIndex?: number;
}

export interface V2Event {
  action: string;
  node: NodeExtern;
  prevNode?: NodeExtern;
}

interface Node {
  path: string;
  dir: boolean;
  value: string;
  createdIndex: number;
  modifiedIndex: number;
  /** Expiry time in ms since the epoch; 0 = never. */
  expireAt: number;
  children?: Map<string, Node>;
}

interface SavedNode {
  p: string;
  d?: 1;
  v?: string;
  c: number;
  m: number;
  e?: number;
  n?: SavedNode[];
}

/** etcd's v2 errors (error/error.go): code, message, HTTP status. */
const ERRORS: Record<number, [string, number]> = {
  100: ['Key not found', 404],
  101: ['Compare failed', 412],
  102: ['Not a file', 403],
  104: ['Not a directory', 400],
  105: ['Key already exists', 412],
  107: ['Root is read only', 400],
  108: ['Directory not empty', 403],
  200: ['Value is Required in POST form', 400],
  201: ['PrevValue is Required in POST form', 400],
  202: ['The given TTL in POST form is not a number', 400],
  203: ['The given index in POST form is not a number', 400],
  209: ['Invalid field', 400],
  210: ['Invalid POST form', 400],
  401: ['The event in requested index is outdated and cleared', 400],
};

export class V2Error extends Error {
  readonly status: number;
  constructor(
    readonly errorCode: number,
    override readonly cause: string,
    readonly index: number,
  ) {
    super(ERRORS[errorCode]?.[0] ?? 'Internal error');
    this.status = ERRORS[errorCode]?.[1] ?? 500;
  }
  toJSON() {
    return { errorCode: this.errorCode, message: this.message, cause: this.cause, index: this.index };
  }
}

const HISTORY = 1000;
/** etcd's v2 store caps TTLs at about 9e9 seconds as well; we only reject what cannot be a Date. */
const MAX_TTL_S = 9_000_000_000;

export interface SetOptions {
  value?: string;
  dir?: boolean;
  ttl?: number;
  prevExist?: boolean;
  prevValue?: string;
  prevIndex?: number;
  refresh?: boolean;
}

export interface DeleteOptions {
  dir?: boolean;
  recursive?: boolean;
  prevValue?: string;
  prevIndex?: number;
}

interface WatcherRec {
  key: string;
  recursive: boolean;
  fire: (e: V2Event, index: number) => void;
}

export function cleanPath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  const out: string[] = [];
  for (const s of parts) {
    if (s === '..') out.pop();
    else out.push(s);
  }
  return '/' + out.join('/');
}

export class V2Store {
  index = 0;
  private root: Node;
  private readonly history: Array<{ index: number; key: string; dirRemoved: boolean; event: V2Event }> = [];
  private readonly watchers = new Set<WatcherRec>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly file?: string) {
    this.root = { path: '/', dir: true, value: '', createdIndex: 0, modifiedIndex: 0, expireAt: 0, children: new Map() };
    const saved = readJson<{ index: number; root: SavedNode }>(file);
    if (saved) {
      this.index = saved.index;
      this.root = load(saved.root);
    }
    this.timer = setInterval(() => this.expire(), 250);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private save(): void {
    writeJsonAtomic(this.file, { index: this.index, root: dump(this.root) });
  }

  private lookup(path: string): Node | undefined {
    if (path === '/') return this.root;
    let n: Node | undefined = this.root;
    for (const part of path.slice(1).split('/')) {
      if (!n || !n.dir) return undefined;
      n = n.children?.get(part);
    }
    return n;
  }

  /** The parent directory of `path`, created as needed; 104 when a file is in the way. */
  private parentDir(path: string, index: number): Node {
    const parts = path.slice(1).split('/');
    parts.pop();
    let n = this.root;
    let cur = '';
    for (const part of parts) {
      cur += '/' + part;
      let c = n.children!.get(part);
      if (!c) {
        c = { path: cur, dir: true, value: '', createdIndex: index, modifiedIndex: index, expireAt: 0, children: new Map() };
        n.children!.set(part, c);
      } else if (!c.dir) throw new V2Error(104, cur, this.index);
      n = c;
    }
    return n;
  }

  private record(e: V2Event, key: string, dirRemoved = false): void {
    this.history.push({ index: this.index, key, dirRemoved, event: e });
    if (this.history.length > HISTORY) this.history.shift();
    for (const w of [...this.watchers]) {
      if (matches(w.key, w.recursive, key, dirRemoved)) {
        this.watchers.delete(w);
        w.fire(e, this.index);
      }
    }
    this.save();
  }

  get(path: string, recursive: boolean, sorted: boolean): V2Event {
    const n = this.lookup(path);
    if (!n) throw new V2Error(100, path, this.index);
    return { action: 'get', node: extern(n, n.dir ? (recursive ? Infinity : 1) : 0, sorted) };
  }

  set(path: string, o: SetOptions): { event: V2Event; created: boolean } {
    if (path === '/') throw new V2Error(107, '/', this.index);
    const ttl = o.ttl;
    const existing = this.lookup(path);
    const cas = o.prevValue !== undefined || o.prevIndex !== undefined;
    if (o.refresh) {
      if (!existing) throw new V2Error(100, path, this.index);
      if (existing.dir) throw new V2Error(102, path, this.index);
    }
    let action = 'set';
    if (cas) {
      action = 'compareAndSwap';
      if (!existing) throw new V2Error(100, path, this.index);
      if (existing.dir) throw new V2Error(102, path, this.index);
      const fails: string[] = [];
      if (o.prevValue !== undefined && o.prevValue !== existing.value) fails.push(`[${o.prevValue} != ${existing.value}]`);
      if (o.prevIndex !== undefined && o.prevIndex !== existing.modifiedIndex) fails.push(`[${o.prevIndex} != ${existing.modifiedIndex}]`);
      if (fails.length) throw new V2Error(101, fails.join(' '), this.index);
    } else if (o.prevExist === false) {
      action = 'create';
      if (existing) throw new V2Error(105, path, this.index);
    } else if (o.prevExist === true) {
      action = 'update';
      if (!existing) throw new V2Error(100, path, this.index);
      if (existing.dir && !o.dir) throw new V2Error(102, path, this.index);
    } else if (existing?.dir) {
      throw new V2Error(102, path, this.index);
    }
    const index = this.index + 1;
    const parent = this.parentDir(path, index);
    this.index = index;
    const prev = existing ? extern(existing, 0, false) : undefined;
    const name = path.slice(path.lastIndexOf('/') + 1);
    const expireAt = ttl !== undefined && ttl > 0 ? Date.now() + ttl * 1000 : 0;
    let n: Node;
    if (existing && (action === 'update' || action === 'compareAndSwap' || o.refresh)) {
      n = existing;
      if (!o.refresh && !n.dir) n.value = o.value ?? '';
      n.modifiedIndex = index;
      n.expireAt = ttl !== undefined ? expireAt : o.refresh ? n.expireAt : 0;
    } else {
      n = {
        path,
        dir: !!o.dir,
        value: o.dir ? '' : (o.value ?? ''),
        createdIndex: index,
        modifiedIndex: index,
        expireAt,
        children: o.dir ? new Map() : undefined,
      };
      parent.children!.set(name, n);
    }
    const event: V2Event = { action, node: extern(n, 0, false) };
    if (prev) event.prevNode = prev;
    this.record(event, path);
    return { event, created: !existing };
  }

  /** POST: a new file in directory `dir` named by the zero-padded index (etcd's in-order keys). */
  createInOrder(dir: string, value: string, ttl?: number): V2Event {
    const d = this.lookup(dir);
    if (d && !d.dir) throw new V2Error(104, dir, this.index);
    const name = String(this.index + 1).padStart(20, '0');
    return this.set(cleanPath(`${dir}/${name}`), { value, ttl, prevExist: false }).event;
  }

  delete(path: string, o: DeleteOptions): V2Event {
    if (path === '/') throw new V2Error(107, '/', this.index);
    const n = this.lookup(path);
    if (!n) throw new V2Error(100, path, this.index);
    const cas = o.prevValue !== undefined || o.prevIndex !== undefined;
    let action = 'delete';
    if (cas) {
      action = 'compareAndDelete';
      if (n.dir) throw new V2Error(102, path, this.index);
      const fails: string[] = [];
      if (o.prevValue !== undefined && o.prevValue !== n.value) fails.push(`[${o.prevValue} != ${n.value}]`);
      if (o.prevIndex !== undefined && o.prevIndex !== n.modifiedIndex) fails.push(`[${o.prevIndex} != ${n.modifiedIndex}]`);
      if (fails.length) throw new V2Error(101, fails.join(' '), this.index);
    } else if (n.dir) {
      if (!o.dir && !o.recursive) throw new V2Error(102, path, this.index);
      if (!o.recursive && n.children!.size > 0) throw new V2Error(108, path, this.index);
    }
    return this.remove(n, action);
  }

  private remove(n: Node, action: string): V2Event {
    const prev = extern(n, 0, false);
    this.index++;
    const parent = this.lookup(n.path.slice(0, n.path.lastIndexOf('/')) || '/')!;
    parent.children!.delete(n.path.slice(n.path.lastIndexOf('/') + 1));
    const node: NodeExtern = { key: n.path };
    if (n.dir) node.dir = true;
    node.modifiedIndex = this.index;
    node.createdIndex = n.createdIndex;
    const event: V2Event = { action, node, prevNode: prev };
    this.record(event, n.path, n.dir);
    return event;
  }

  private expire(): void {
    const now = Date.now();
    const due: Node[] = [];
    const walk = (n: Node) => {
      if (n.expireAt && n.expireAt <= now) due.push(n);
      else if (n.children) for (const c of n.children.values()) walk(c);
    };
    walk(this.root);
    for (const n of due) if (this.lookup(n.path) === n) this.remove(n, 'expire');
  }

  /**
   * Wait for the first event on `key` (or below it, recursive) at or after `waitIndex` (0 = the next
   * one). Resolves at once from history when it holds one; 401 when that history is gone.
   */
  watch(key: string, recursive: boolean, waitIndex: number): { event?: V2Event; wait?: Promise<V2Event>; cancel(): void } {
    if (waitIndex > 0) {
      const oldest = this.history.length ? this.history[0].index : this.index + 1;
      if (waitIndex < oldest && this.history.length >= HISTORY) {
        throw new V2Error(401, `the requested history has been cleared [${oldest}/${waitIndex}]`, this.index);
      }
      for (const h of this.history) {
        if (h.index >= waitIndex && matches(key, recursive, h.key, h.dirRemoved)) return { event: h.event, cancel: () => {} };
      }
    }
    let rec: WatcherRec | undefined;
    const wait = new Promise<V2Event>((resolve) => {
      rec = { key, recursive, fire: (e) => resolve(e) };
      this.watchers.add(rec);
    });
    return { wait, cancel: () => rec && this.watchers.delete(rec) };
  }
}

function matches(wkey: string, recursive: boolean, key: string, dirRemoved: boolean): boolean {
  if (key === wkey) return true;
  if (recursive && (wkey === '/' || key.startsWith(wkey + '/'))) return true;
  // Removing a directory removes what was watched below it.
  return dirRemoved && wkey.startsWith(key + '/');
}

function extern(n: Node, depth: number, sorted: boolean): NodeExtern {
  const e: NodeExtern = {};
  if (n.path !== '/') e.key = n.path;
  if (n.dir) e.dir = true;
  else e.value = n.value;
  if (n.dir && depth > 0) {
    let kids = [...n.children!.values()].filter((c) => !c.path.slice(c.path.lastIndexOf('/') + 1).startsWith('_'));
    // Always sorted: a stable listing (etcd sorts only with sorted=true, otherwise any order).
    kids = kids.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (kids.length) e.nodes = kids.map((c) => extern(c, depth - 1, sorted));
  }
  if (n.expireAt) {
    e.expiration = new Date(n.expireAt).toISOString();
    const ttl = Math.ceil((n.expireAt - Date.now()) / 1000);
    if (ttl > 0) e.ttl = ttl;
  }
  if (n.modifiedIndex) e.modifiedIndex = n.modifiedIndex;
  if (n.createdIndex) e.createdIndex = n.createdIndex;
  return e;
}

function dump(n: Node): SavedNode {
  const s: SavedNode = { p: n.path, c: n.createdIndex, m: n.modifiedIndex };
  if (n.dir) {
    s.d = 1;
    s.n = [...n.children!.values()].map(dump);
  } else s.v = n.value;
  if (n.expireAt) s.e = n.expireAt;
  return s;
}

function load(s: SavedNode): Node {
  const n: Node = { path: s.p, dir: !!s.d, value: s.v ?? '', createdIndex: s.c, modifiedIndex: s.m, expireAt: s.e ?? 0 };
  if (s.d) n.children = new Map((s.n ?? []).map((c) => [c.p.slice(c.p.lastIndexOf('/') + 1), load(c)]));
  return n;
}

export { MAX_TTL_S };
