// Building blocks for Table columns as pkg/printers/internalversion defines them: column names
// are Kubernetes' own ("Name", "Nominated Node"; kubectl upper-cases them), every kind's first
// column is the name (format "name") and most end with Age.
import type { KObject, TableColumn, TableConvertor } from '../strategy.js';
import { translateTimestampSince } from './duration.js';

export const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const ageDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn: TableColumn = { name: 'Name', type: 'string', format: 'name', description: nameDescription, priority: 0 };
export const ageColumn: TableColumn = { name: 'Age', type: 'string', description: ageDescription, priority: 0 };

/** A column: [name, type, description, priority]. */
export function col(name: string, type: TableColumn['type'] = 'string', description = '', priority = 0): TableColumn {
  return { name, type, description, priority };
}
export const wide = (name: string, type: TableColumn['type'] = 'string', description = ''): TableColumn => col(name, type, description, 1);

/** The age cell of an object. */
export const age = (obj: KObject, now: Date): string => translateTimestampSince(obj.metadata?.creationTimestamp, now);

/** A table whose first column is Name; `cells` returns every cell after the name. */
export function table(columns: TableColumn[], cells: (obj: KObject, now: Date) => unknown[]): TableConvertor {
  return { columns: [nameColumn, ...columns], cells: (obj, now) => [obj.metadata?.name ?? '', ...cells(obj, now)] };
}

/** Name and Age only (the default for kinds without printers). */
export const nameAgeTable: TableConvertor = table([ageColumn], (o, now) => [age(o, now)]);

/** `<none>` for an empty string/undefined. */
export const orNone = (s: unknown): string => (s === undefined || s === null || s === '' ? '<none>' : String(s));

/** listWithMoreString: the first `max` items joined by ',' and `+ N more...`. */
export function listWithMore(list: string[], max: number): string {
  let s = list.slice(0, max).join(',');
  if (list.length > max) s += ` + ${list.length - max} more...`;
  return s;
}

/** Container names and images of a pod template, as the workload printers show them. */
export function containerCells(podSpec: any): [string, string] {
  const cs: any[] = podSpec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

/** printers' formatResourceName-like ownerless helper: `kind/name` lowercase for OBJECT columns. */
export function kindName(kind: string | undefined, name: string | undefined): string {
  return `${(kind ?? '').toLowerCase()}/${name ?? ''}`;
}
