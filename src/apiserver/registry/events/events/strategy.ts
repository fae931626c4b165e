// Event (events.k8s.io/v1 events). Stored together with core/v1 events under /registry/events
// in the core shape; coreEventToEventsV1 / eventsV1ToCoreEvent convert at the REST boundary
// (regarding <-> involvedObject, note <-> message, deprecatedSource/FirstTimestamp/
// LastTimestamp/Count <-> source/firstTimestamp/lastTimestamp/count, reportingController <->
// reportingComponent), wired as the strategy's storageConversion. The hooks below work on the events.k8s.io shape: validation as
// ValidateEventCreate for this API (eventTime, reportingController, reportingInstance, action,
// reason required), the same table as core events, and field selectors in both spellings.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, forbidden } from '../../../../api/field-errors.js';
import { isQualifiedName } from '../../../../api/validation/names.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { eventCells, eventColumns } from '../../core/events/strategy.js';
import type { KObject } from '../../strategy.js';

const renames: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

/** events.k8s.io/v1 Event -> core/v1 Event (storage shape). */
export function eventsV1ToCoreEvent(ev: KObject): KObject {
  const out: KObject = { ...structuredClone(ev), apiVersion: 'v1', kind: 'Event' };
  for (const [v1, core] of renames) {
    delete out[v1];
    if (ev[v1] !== undefined) out[core] = structuredClone(ev[v1]);
  }
  out.involvedObject ??= {};
  return out;
}

/** core/v1 Event (storage shape) -> events.k8s.io/v1 Event. */
export function coreEventToEventsV1(ev: KObject): KObject {
  const out: KObject = { ...structuredClone(ev), apiVersion: 'events.k8s.io/v1', kind: 'Event' };
  for (const [v1, core] of renames) {
    delete out[core];
    if (ev[core] !== undefined) out[v1] = structuredClone(ev[core]);
  }
  if (out.regarding && Object.keys(out.regarding).length === 0) delete out.regarding;
  // MicroTime is required in this API: old events show their first timestamp.
  if (!out.eventTime) out.eventTime = null;
  return out;
}

export function validateEventsV1(ev: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!ev.eventTime) errs.push(required('eventTime', ''));
  if (!ev.reportingController) errs.push(required('reportingController', ''));
  else for (const m of isQualifiedName(ev.reportingController)) errs.push(invalid('reportingController', ev.reportingController, m));
  if (!ev.reportingInstance) errs.push(required('reportingInstance', ''));
  else if (ev.reportingInstance.length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
  if (!ev.action) errs.push(required('action', ''));
  else if (ev.action.length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
  if (!ev.reason) errs.push(required('reason', ''));
  else if (ev.reason.length > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
  if (ev.type && !['Normal', 'Warning'].includes(ev.type)) errs.push(invalid('type', ev.type, 'has invalid value: ' + ev.type));
  if ((ev.note ?? '').length > 1024) errs.push(invalid('note', '', 'can have at most 1024 characters'));
  if (ev.deprecatedSource?.component || ev.deprecatedSource?.host) errs.push(forbidden('deprecatedSource', 'deprecated field must not be set'));
  if (ev.deprecatedFirstTimestamp) errs.push(forbidden('deprecatedFirstTimestamp', 'deprecated field must not be set'));
  if (ev.deprecatedLastTimestamp) errs.push(forbidden('deprecatedLastTimestamp', 'deprecated field must not be set'));
  if (ev.deprecatedCount) errs.push(forbidden('deprecatedCount', 'deprecated field must not be set'));
  return errs;
}

const ref = (e: KObject) => e.regarding ?? e.involvedObject ?? {};

export const strategy = defineStrategy({
  info: {
    group: 'events.k8s.io',
    version: 'v1',
    kind: 'Event',
    listKind: 'EventList',
    resource: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    storagePrefix: 'events',
  },
  storageConversion: { toStorage: eventsV1ToCoreEvent, fromStorage: coreEventToEventsV1 },
  validate: validateEventsV1,
  validateUpdate(ev, old) {
    // Updates may change the series and note-like fields, not who reported what about whom.
    return [
      ...validateImmutableField(ev.action, old.action, 'action'),
      ...validateImmutableField(ev.reason, old.reason, 'reason'),
      ...validateImmutableField(ev.regarding, old.regarding, 'regarding'),
      ...validateImmutableField(ev.reportingController, old.reportingController, 'reportingController'),
      ...validateImmutableField(ev.reportingInstance, old.reportingInstance, 'reportingInstance'),
      ...validateImmutableField(ev.type, old.type, 'type'),
    ];
  },
  table: { columns: eventColumns, cells: (ev, now) => eventCells(ev.regarding !== undefined || ev.note !== undefined || ev.reportingController !== undefined ? eventsV1ToCoreEvent(ev) : ev, now) },
  fieldSelectors: {
    'regarding.kind': (e) => ref(e).kind ?? '',
    'regarding.namespace': (e) => ref(e).namespace ?? '',
    'regarding.name': (e) => ref(e).name ?? '',
    'regarding.uid': (e) => ref(e).uid ?? '',
    'regarding.apiVersion': (e) => ref(e).apiVersion ?? '',
    'regarding.resourceVersion': (e) => ref(e).resourceVersion ?? '',
    'regarding.fieldPath': (e) => ref(e).fieldPath ?? '',
    'involvedObject.kind': (e) => ref(e).kind ?? '',
    'involvedObject.namespace': (e) => ref(e).namespace ?? '',
    'involvedObject.name': (e) => ref(e).name ?? '',
    'involvedObject.uid': (e) => ref(e).uid ?? '',
    reason: (e) => e.reason ?? '',
    reportingController: (e) => e.reportingController ?? e.reportingComponent ?? '',
    reportingComponent: (e) => e.reportingController ?? e.reportingComponent ?? '',
    type: (e) => e.type ?? '',
  },
});
