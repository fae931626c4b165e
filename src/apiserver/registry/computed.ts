// Resources the apiserver computes on each read instead of storing (kube's REST storages that
// implement only Getter/Lister): metrics.k8s.io NodeMetrics/PodMetrics and core/v1
// ComponentStatus. The resource dispatcher hands get and list to `computedRead`; there is no
// watch, no write and no subresource.
import type { Handler } from '../handlers/context.js';
import { setWarnings, writeJson } from '../http-util.js';
import { parseIncludeObject, toTable } from '../table.js';
import type { KObject, Strategy } from './strategy.js';

export interface ComputedStrategy extends Strategy {
  computedRead(h: Handler): Promise<void>;
}

export function isComputed(s: Strategy): s is ComputedStrategy {
  return typeof (s as Partial<ComputedStrategy>).computedRead === 'function';
}

/** Answers a computed get (one object) or list, as a Table when the client asked for one. */
export function respondComputed(h: Handler, items: KObject[], list: { kind: string; apiVersion: string } | undefined): void {
  setWarnings(h.res, h.ctx.warnings);
  if (h.form.kind === 'table') {
    writeJson(h.res, 200, toTable(h.served.strategy, items, { includeObject: parseIncludeObject(h.query.get('includeObject')), version: h.form.version, now: h.state.now() }));
    return;
  }
  if (!list) writeJson(h.res, 200, items[0]);
  else writeJson(h.res, 200, { kind: list.kind, apiVersion: list.apiVersion, metadata: {}, items });
}
