// The served resources: every group/version/resource with its strategy and generic store.
// Built-in kinds are added at start; custom resources come and go with their CRDs, and
// listeners (discovery) hear of every change.
import type { Store } from '../storage/store.js';
import type { Strategy } from './registry/strategy.js';
import { GenericStore } from './registry/generic/store.js';
import { WatchCache } from './watchcache/cache.js';

export interface Served {
  strategy: Strategy;
  store: GenericStore;
}

/** Version priority as Kubernetes sorts versions (GA > beta > alpha, then by number). */
export function versionPriority(v: string): number {
  const m = v.match(/^v(\d+)(?:(alpha|beta)(\d+))?$/);
  if (!m) return -1;
  const major = Number(m[1]);
  const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  const minor = m[3] ? Number(m[3]) : 0;
  return stage * 1e6 + major * 1e3 + minor;
}

export class Resources {
  /** `${group}/${version}/${resource}` -> served resource */
  private byGvr = new Map<string, Served>();
  /** `${group}/${resource}` -> generic store (shared by every version of a resource). */
  private stores = new Map<string, GenericStore>();
  private groupOrder: string[] = [];
  /** Preferred version per group, when set explicitly (CRDs: the storage/first served version). */
  private preferred = new Map<string, string>();
  private listeners: Array<() => void> = [];

  constructor(
    private store: Store,
    private opts: { watchCache: boolean; consistentReadsFromCache?: boolean },
  ) {}

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }
  notify(): void {
    this.changed();
  }
  private changed(): void {
    for (const l of this.listeners) l();
  }

  add(strategy: Strategy, opts: { silent?: boolean } = {}): Served {
    const { group, version, resource } = strategy.info;
    const sk = `${group}/${resource}`;
    const base = this.stores.get(sk);
    // Every version has its own store (apiVersion stamping, cache); all share the key prefix and hooks.
    const info = { ...strategy.info, storagePrefix: strategy.info.storagePrefix ?? base?.info.storagePrefix };
    const gs = new GenericStore(info === strategy.info ? strategy : { ...strategy, info }, this.store);
    if (base) {
      (gs as { beforeWrite: unknown }).beforeWrite = base.beforeWrite;
      (gs as { afterDelete: unknown }).afterDelete = base.afterDelete;
      (gs as { writeFailed: unknown }).writeFailed = base.writeFailed;
    } else this.stores.set(sk, gs);
    const old = this.byGvr.get(`${group}/${version}/${resource}`);
    old?.store.watchCache?.close();
    if (old && base && old.store === base) this.stores.set(sk, gs);
    const served = { strategy, store: gs };
    this.byGvr.set(`${group}/${version}/${resource}`, served);
    if (!this.groupOrder.includes(group)) this.groupOrder.push(group);
    if (!opts.silent) this.changed();
    return served;
  }

  remove(group: string, resource: string): void {
    for (const [k, s] of this.byGvr)
      if (s.strategy.info.group === group && s.strategy.info.resource === resource) {
        s.store.watchCache?.close();
        this.byGvr.delete(k);
      }
    this.stores.delete(`${group}/${resource}`);
    if (![...this.byGvr.values()].some((s) => s.strategy.info.group === group)) {
      this.groupOrder = this.groupOrder.filter((g) => g !== group);
      this.preferred.delete(group);
    }
    this.changed();
  }

  setPreferredVersion(group: string, version: string): void {
    this.preferred.set(group, version);
  }

  lookup(group: string, version: string, resource: string): Served | undefined {
    const s = this.byGvr.get(`${group}/${version}/${resource}`);
    if (s && this.opts.watchCache && !s.store.watchCache) this.enableCache(s.store);
    return s;
  }

  /** The generic store of a resource (any version). */
  storeFor(group: string, resource: string): GenericStore | undefined {
    return this.stores.get(`${group}/${resource}`);
  }

  private enableCache(s: GenericStore): void {
    s.watchCache = new WatchCache(s);
    s.consistentCacheReads = !!this.opts.consistentReadsFromCache;
  }

  groups(): string[] {
    return [...this.groupOrder];
  }

  /** Versions of a group, preferred first. */
  versions(group: string): string[] {
    const vs = new Set<string>();
    for (const s of this.byGvr.values()) if (s.strategy.info.group === group) vs.add(s.strategy.info.version);
    const pref = this.preferred.get(group);
    return [...vs].sort((a, b) => (a === pref ? -1 : b === pref ? 1 : versionPriority(b) - versionPriority(a)));
  }

  /** Resources of one group/version in registration order. */
  resources(group: string, version: string): Served[] {
    return [...this.byGvr.values()].filter((s) => s.strategy.info.group === group && s.strategy.info.version === version);
  }

  all(): Served[] {
    return [...this.byGvr.values()];
  }

  close(): void {
    for (const s of this.byGvr.values()) s.store.watchCache?.close();
  }
}
