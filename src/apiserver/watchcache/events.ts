// Watch events as the apiserver emits them, and the selection rule for MODIFIED events
// (an update into the selector is ADDED, out of it DELETED), as the cacher's watchers do.
import type { KObject } from '../registry/strategy.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KObject;
}

/** A change as seen by the store: the object after (for deletes: the last state) and before. */
export interface Change {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: KObject;
  prev?: KObject;
  rv: number;
  key: string;
  /** JSON of `{"type":..,"object":..}` for the default form, computed once for all watchers. */
  json?: string;
}

export interface WatchFilter {
  /** Namespace key prefix to match ('' = all). */
  keyPrefix: string;
  matches(obj: KObject): boolean;
}

/** The event a watcher with this filter sees for a change, or undefined. */
export function filterChange(c: Change, f: WatchFilter): WatchEvent | undefined {
  if (f.keyPrefix && !c.key.startsWith(f.keyPrefix)) return undefined;
  const cur = f.matches(c.obj);
  if (c.type === 'ADDED') return cur ? { type: 'ADDED', object: c.obj } : undefined;
  if (c.type === 'DELETED') return cur || (c.prev && f.matches(c.prev)) ? { type: 'DELETED', object: c.obj } : undefined;
  const old = c.prev ? f.matches(c.prev) : false;
  if (cur && old) return { type: 'MODIFIED', object: c.obj };
  if (cur) return { type: 'ADDED', object: c.obj };
  if (old) return { type: 'DELETED', object: c.obj };
  return undefined;
}

/** Whether a change reaches the watcher unchanged in meaning (so the shared JSON can be reused). */
export function sameAsChange(c: Change, e: WatchEvent): boolean {
  return c.type === e.type && c.obj === e.object;
}
