// Keeps an in-memory view of one resource for the authorizers, fed by the apiserver's own watch
// cache (as kube-apiserver's RBAC and Node authorizers use shared informers over its loopback
// client): every current object first, then each change. When the apiserver runs without watch
// caches, the informer starts a private one on the same store. A reset of the cache (lost store
// watch) clears the view and starts it again.
import type { Resources } from '../../apiserver/resources.js';
import type { KObject } from '../../apiserver/registry/strategy.js';
import { WatchCache } from '../../apiserver/watchcache/cache.js';
import type { CacheWatcher } from '../../apiserver/watchcache/cache.js';
import { logger } from '../../util/log.js';

const log = logger('authz');

export interface InformerHandler {
  upsert(obj: KObject, old: KObject | undefined): void;
  remove(obj: KObject): void;
  /** Forget everything (the cache restarts and sends every object again). */
  clear(): void;
}

export class CacheInformer {
  private cache?: WatchCache;
  private watcher?: CacheWatcher;
  private stopped = false;
  private own = false;
  readonly synced: Promise<void>;

  constructor(
    resources: Resources,
    group: string,
    readonly resource: string,
    private handler: InformerHandler,
  ) {
    const served = resources.lookup(group, 'v1', resource);
    if (!served) {
      this.synced = Promise.resolve();
      return;
    }
    this.cache = served.store.watchCache;
    if (!this.cache) {
      this.cache = new WatchCache(served.store);
      this.own = true;
    }
    this.synced = this.subscribe();
  }

  private async subscribe(): Promise<void> {
    const cache = this.cache!;
    await cache.ready;
    if (this.stopped) return;
    const w: CacheWatcher = {
      filter: { keyPrefix: '', matches: () => true },
      afterRv: 0,
      send: (ev, change) => {
        if (ev.type === 'DELETED') this.handler.remove(ev.object);
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.handler.upsert(ev.object, change.prev);
      },
      terminate: (reason) => {
        if (this.stopped) return;
        log.info({ resource: this.resource, reason }, 'authorizer informer restarting');
        this.handler.clear();
        void this.subscribe();
      },
    };
    this.watcher = w;
    await cache.watch(w, undefined, true);
  }

  /** Resolves once the view has every change up to the store revision `rv`. */
  async waitFor(rv: number): Promise<void> {
    await this.synced;
    await this.cache?.waitFor(rv, 10_000);
  }

  stop(): void {
    this.stopped = true;
    if (this.watcher) this.cache?.unwatch(this.watcher);
    if (this.own) this.cache?.close();
  }
}
