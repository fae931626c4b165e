// meta.k8s.io Table responses (`kubectl get`): the strategy's columns (Name and Age when a kind
// has none) and one row per object with its PartialObjectMetadata (includeObject=Metadata, the
// default), the full object (Object) or nothing (None).
import type { KObject, Strategy } from './registry/strategy.js';
import { nameAgeTable } from './registry/printers/columns.js';
import { badRequest } from './status.js';

export type IncludeObject = 'Object' | 'Metadata' | 'None';

export function parseIncludeObject(v: string | null): IncludeObject {
  if (v === null || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'Object' || v === 'None') return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
}

export function partialObjectMetadata(obj: KObject, version = 'v1'): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata ?? {} };
}

export interface TableOptions {
  includeObject: IncludeObject;
  version: 'v1' | 'v1beta1';
  /** Omit columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  now: Date;
}

export function toTable(s: Strategy, objs: KObject[], o: TableOptions): KObject {
  const conv = s.table ?? nameAgeTable;
  const rows = objs.map((obj) => {
    let cells: unknown[];
    try {
      cells = conv.cells(obj, o.now);
    } catch {
      cells = conv.columns.map((_, i) => (i === 0 ? (obj.metadata?.name ?? '') : '<unknown>'));
    }
    const row: Record<string, unknown> = { cells };
    if (o.includeObject === 'Object') row.object = obj;
    else if (o.includeObject === 'Metadata') row.object = partialObjectMetadata(obj, o.version);
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (o.resourceVersion) metadata.resourceVersion = o.resourceVersion;
  if (o.continue) metadata.continue = o.continue;
  if (o.remainingItemCount !== undefined) metadata.remainingItemCount = o.remainingItemCount;
  const t: KObject = { kind: 'Table', apiVersion: `meta.k8s.io/${o.version}`, metadata };
  t.columnDefinitions = o.noHeaders ? [] : conv.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority }));
  t.rows = rows;
  return t;
}
