// Event (core/v1 events): light validation (involvedObject namespace agrees with the event's,
// reportingController/action rules for events with an eventTime), the events table (LAST SEEN
// TYPE REASON OBJECT [SUBOBJECT SOURCE] MESSAGE [FIRST SEEN COUNT NAME]) and the field
// selectors kubectl describe uses (involvedObject.*, reason, source, type...).
// The store should give events a TTL (kube-apiserver --event-ttl, 1h) — store concern.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, tooLong } from '../../../../api/field-errors.js';
import { isQualifiedName } from '../../../../api/validation/names.js';
import { nameDescription } from '../../printers/columns.js';
import { translateTimestampSince } from '../../printers/duration.js';
import type { KObject } from '../../strategy.js';

const firstNonEmpty = (...s: (string | undefined)[]): string => s.find((x) => x) ?? '';

export function formatEventSource(ev: any): string {
  const component = firstNonEmpty(ev.source?.component, ev.reportingComponent);
  const instance = firstNonEmpty(ev.source?.host, ev.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

export function eventCells(ev: any, now: Date): unknown[] {
  const first = ev.firstTimestamp ? translateTimestampSince(ev.firstTimestamp, now) : translateTimestampSince(ev.eventTime, now);
  let last = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : first;
  let count = ev.count ?? 0;
  if (ev.series) {
    last = translateTimestampSince(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) count = 1;
  const io = ev.involvedObject ?? {};
  const target = io.name ? `${String(io.kind ?? '').toLowerCase()}/${io.name}` : String(io.kind ?? '').toLowerCase();
  return [last, ev.type ?? '', ev.reason ?? '', target, io.fieldPath ?? '', formatEventSource(ev), String(ev.message ?? '').trim(), first, count, ev.metadata?.name ?? ''];
}

export const eventColumns = [
  { name: 'Last Seen', type: 'string' as const, description: 'The time at which the most recent occurrence of this event was recorded.', priority: 0 },
  { name: 'Type', type: 'string' as const, description: 'Type of this event (Normal, Warning), new types could be added in the future', priority: 0 },
  { name: 'Reason', type: 'string' as const, description: 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.', priority: 0 },
  { name: 'Object', type: 'string' as const, description: 'The object that this event is about.', priority: 0 },
  { name: 'Subobject', type: 'string' as const, description: 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', priority: 1 },
  { name: 'Source', type: 'string' as const, description: 'The component reporting this event. Should be a short machine understandable string.', priority: 1 },
  { name: 'Message', type: 'string' as const, description: 'A human-readable description of the status of this operation.', priority: 0 },
  { name: 'First Seen', type: 'string' as const, description: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', priority: 1 },
  { name: 'Count', type: 'string' as const, description: 'The number of times this event has occurred.', priority: 1 },
  { name: 'Name', type: 'string' as const, format: 'name', description: nameDescription, priority: 1 },
];

/** ValidateEventCreate for core/v1 requests. */
export function validateCoreEvent(ev: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const io = ev.involvedObject ?? {};
  const ns = ev.metadata?.namespace ?? '';
  const ioNs = io.namespace ?? '';
  if (!ev.eventTime) {
    // The event's namespace and the involved object's agree ('' or "default" for cluster-scoped objects).
    if (ioNs === '' ? ns !== '' && ns !== 'default' : ns !== ioNs) errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    return errs;
  }
  // Events written in the new shape must say who reported what.
  if (ioNs === '' && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
  if (!ev.reportingComponent) errs.push(required('reportingController', ''));
  for (const m of isQualifiedName(ev.reportingComponent ?? '')) errs.push(invalid('reportingController', ev.reportingComponent ?? '', m));
  if (!ev.reportingInstance) errs.push(required('reportingInstance', ''));
  else if (ev.reportingInstance.length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
  if (!ev.action) errs.push(required('action', ''));
  else if (ev.action.length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
  if (!ev.reason) errs.push(required('reason', ''));
  else if (ev.reason.length > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
  if ((ev.message ?? '').length > 1024) errs.push(tooLong('message', '', 1024));
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Event',
    listKind: 'EventList',
    resource: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
  },
  validate: validateCoreEvent,
  table: { columns: eventColumns, cells: eventCells },
  fieldSelectors: {
    'involvedObject.kind': (e) => e.involvedObject?.kind ?? '',
    'involvedObject.namespace': (e) => e.involvedObject?.namespace ?? '',
    'involvedObject.name': (e) => e.involvedObject?.name ?? '',
    'involvedObject.uid': (e) => e.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (e) => e.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (e) => e.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (e) => e.involvedObject?.fieldPath ?? '',
    reason: (e) => e.reason ?? '',
    reportingComponent: (e) => e.reportingComponent ?? '',
    source: (e) => e.source?.component || e.reportingComponent || '',
    type: (e) => e.type ?? '',
  },
});
