// A shared informer (client-go's reflector + indexer + shared handlers): lists a resource
// (paginated), then watches from the list's resourceVersion with bookmarks; on a dropped watch it
// resumes from the last seen resourceVersion, on 410 Gone it re-lists and reconciles the cache
// (emitting adds, updates and deletes for what changed). Handlers only get events; they should
// just enqueue keys (DESIGN principle 2). Periodic resync replays every object as an update.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';
import { ApiError, isGone, type KObject, type RestClient, type WatchEvent } from './rest-client.js';
import { objectKey, resourcePath, type ResourceRef } from './resources.js';

export interface EventHandlers<T extends KObject = KObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** For objects that vanished during a re-list, the last known state. */
  onDelete?(obj: T): void;
}

export type IndexFunc<T extends KObject = KObject> = (obj: T) => string[];

export interface InformerOptions<T extends KObject = KObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Replay every object to onUpdate this often (0 = never). */
  resyncMs?: number;
  pageSize?: number;
  indexers?: Record<string, IndexFunc<T>>;
  /** Min/max backoff after a failed list or watch. */
  backoffMs?: [number, number];
}

export const namespaceIndex: IndexFunc = (o) => [o.metadata?.namespace ?? ''];

export class Informer<T extends KObject = KObject> {
  private readonly items = new Map<string, T>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: EventHandlers<T>[] = [];
  private resourceVersion = '';
  private syncedResolve!: () => void;
  private readonly log: Logger;
  /** Resolves once the first list has been delivered to handlers. */
  readonly synced: Promise<void> = new Promise((r) => (this.syncedResolve = r));
  hasSynced = false;

  constructor(
    private readonly client: RestClient,
    readonly ref: ResourceRef,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.log = logger('informer').child({ resource: ref.resource });
    for (const name of Object.keys(opts.indexers ?? {})) this.indices.set(name, new Map());
  }

  /** Register handlers; if already synced, current objects are replayed as adds. */
  addEventHandler(h: EventHandlers<T>): void {
    this.handlers.push(h);
    if (this.hasSynced) for (const o of this.items.values()) h.onAdd?.(o);
  }

  /** The cached object. Never modify it: copy first (the cache compares resourceVersions). */
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  list(): T[] {
    return [...this.items.values()];
  }
  keys(): string[] {
    return [...this.items.keys()];
  }
  /** Objects whose index `name` has `value` (e.g. byIndex('namespace', 'default')). */
  byIndex(name: string, value: string): T[] {
    const keys = this.indices.get(name)?.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.items.get(k)!).filter(Boolean);
  }
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Run until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const [minBackoff, maxBackoff] = this.opts.backoffMs ?? [200, 30_000];
    let backoff = minBackoff;
    let resync: NodeJS.Timeout | undefined;
    if (this.opts.resyncMs) {
      resync = setInterval(() => {
        for (const o of this.items.values()) for (const h of this.handlers) h.onUpdate?.(o, o);
      }, this.opts.resyncMs);
    }
    try {
      let needList = true;
      while (!signal.aborted) {
        try {
          if (needList) {
            await this.relist(signal);
            needList = false;
          }
          await this.watchOnce(signal);
          backoff = minBackoff;
        } catch (err) {
          if (signal.aborted) break;
          if (isGone(err)) {
            this.log.debug({ rv: this.resourceVersion }, 'watch expired, re-listing');
            needList = true;
            continue;
          }
          this.log.warn({ err: (err as Error).message }, 'list/watch failed, retrying');
          await sleep(backoff, signal);
          backoff = Math.min(maxBackoff, backoff * 2);
        }
      }
    } finally {
      if (resync) clearInterval(resync);
    }
  }

  private baseQuery() {
    return { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const path = resourcePath(this.ref, this.opts.namespace);
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv = '';
    do {
      const list = await this.client.request<KObject>('GET', path, {
        query: { ...this.baseQuery(), limit: this.opts.pageSize ?? 500, continue: cont },
        signal,
      });
      for (const item of (list.items ?? []) as T[]) {
        // Lists omit kind/apiVersion on items; fill them in like client-go's decoder does.
        if (!item.kind && typeof list.kind === 'string') item.kind = list.kind.replace(/List$/, '');
        if (!item.apiVersion) item.apiVersion = list.apiVersion;
        fresh.set(objectKey(item), item);
      }
      cont = list.metadata?.continue || undefined;
      rv = list.metadata?.resourceVersion ?? rv;
    } while (cont);
    // Reconcile: adds/updates for what is listed, deletes for what vanished.
    for (const [key, old] of this.items) if (!fresh.has(key)) this.remove(key, old);
    for (const [key, obj] of fresh) this.upsert(key, obj);
    this.resourceVersion = rv;
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.syncedResolve();
    }
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const path = resourcePath(this.ref, this.opts.namespace);
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    let gone: ApiError | undefined;
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.client.watch(
        path,
        { ...this.baseQuery(), resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        (e: WatchEvent) => {
          if (gone) return;
          if (e.type === 'ERROR') {
            const s = e.object;
            gone = new ApiError(s.code ?? 500, s.reason ?? 'InternalError', s.message ?? 'watch error', s);
            ac.abort();
            return;
          }
          const rv = e.object?.metadata?.resourceVersion;
          if (e.type === 'BOOKMARK') {
            if (rv) this.resourceVersion = rv;
            return;
          }
          const obj = e.object as T;
          const key = objectKey(obj);
          if (e.type === 'DELETED') this.remove(key, obj);
          else this.upsert(key, obj);
          if (rv) this.resourceVersion = rv;
        },
        ac.signal,
      );
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (gone) throw gone;
  }

  private upsert(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion && old.metadata?.resourceVersion !== undefined) return;
    this.items.set(key, obj);
    this.reindex(key, old, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }

  private remove(key: string, last: T): void {
    const old = this.items.get(key);
    if (!old) return;
    this.items.delete(key);
    this.reindex(key, old, undefined);
    for (const h of this.handlers) h.onDelete?.(last ?? old);
  }

  private reindex(key: string, old: T | undefined, obj: T | undefined): void {
    for (const [name, fn] of Object.entries(this.opts.indexers ?? {})) {
      const idx = this.indices.get(name)!;
      if (old) for (const v of fn(old)) idx.get(v)?.delete(key);
      if (obj)
        for (const v of fn(obj)) {
          let s = idx.get(v);
          if (!s) idx.set(v, (s = new Set()));
          s.add(key);
        }
    }
  }
}


/** One informer per resource (and namespace/selector), shared by every controller in a process. */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<any>>();
  private readonly running = new Set<Informer<any>>();
  private signal?: AbortSignal;

  constructor(
    private readonly client: RestClient,
    private readonly defaults: InformerOptions = {},
  ) {}

  informerFor<T extends KObject = KObject>(ref: ResourceRef, opts: InformerOptions<T> = {}): Informer<T> {
    const key = [ref.group, ref.version, ref.resource, opts.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as Informer<T> | undefined;
    if (!inf) {
      inf = new Informer<T>(this.client, ref, { indexers: { namespace: namespaceIndex as IndexFunc<T> }, ...(this.defaults as InformerOptions<T>), ...opts });
      this.informers.set(key, inf);
      if (this.signal) this.launch(inf);
    }
    return inf;
  }

  /** Start every informer created so far (and later ones as they are created). */
  start(signal: AbortSignal): void {
    // Every informer's watch and backoff listens on this signal.
    setMaxListeners(0, signal);
    this.signal = signal;
    for (const inf of this.informers.values()) this.launch(inf);
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.synced));
  }

  private launch(inf: Informer<any>): void {
    if (this.running.has(inf) || !this.signal) return;
    this.running.add(inf);
    void inf.run(this.signal);
  }
}
