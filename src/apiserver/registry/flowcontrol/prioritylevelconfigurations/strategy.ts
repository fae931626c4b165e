// PriorityLevelConfiguration (flowcontrol.apiserver.k8s.io/v1 prioritylevelconfigurations,
// cluster-scoped, with /status), as kube's v1 defaults and validation: Exempt if and only if the
// name is 'exempt'; Limited levels need limitResponse Queue (with queuing: queues <= 512, handSize
// <= queues and at most 60 bits of shuffle-sharding entropy) or Reject; nominalConcurrencyShares
// defaults to 30 and may be 0 in v1; lendablePercent 0..100. 'catch-all' keeps kube's fixed spec
// and 'exempt' may change only spec.exempt. Table: NAME TYPE NOMINALCONCURRENCYSHARES QUEUES
// HANDSIZE QUEUELENGTHLIMIT AGE. keelson does not dispatch requests by priority level (its
// max-inflight limits stay; see README).
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, forbidden, invalid, notSupported, required } from '../../../../api/field-errors.js';
import { deepEqual } from '../../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import { mandatoryPriorityLevel } from '../bootstrap-objects.js';

export const maxQueues = 512;
const maxHashBits = 60;
const types = ['Exempt', 'Limited'];
const responseTypes = ['Queue', 'Reject'];

/** Bits of entropy shuffle sharding needs to deal `hand` of `deck` queues (kube's RequiredEntropyBits). */
const entropyBits = (deck: number, hand: number) => Math.ceil(Math.log2(deck) * hand);

function validateQueuing(q: any, p: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const qll = q.queueLengthLimit ?? 0;
  const queues = q.queues ?? 0;
  const hand = q.handSize ?? 0;
  if (qll <= 0) errs.push(invalid(`${p}.queueLengthLimit`, qll, 'must be positive'));
  if (queues <= 0) errs.push(invalid(`${p}.queues`, queues, 'must be positive'));
  else if (queues > maxQueues) errs.push(invalid(`${p}.queues`, queues, `must not be greater than ${maxQueues}`));
  if (hand <= 0) errs.push(invalid(`${p}.handSize`, hand, 'must be positive'));
  else if (hand > queues) errs.push(invalid(`${p}.handSize`, hand, `should not be greater than queues (${queues})`));
  else if (entropyBits(queues, hand) > maxHashBits)
    errs.push(invalid(`${p}.handSize`, hand, `required entropy bits of deckSize ${queues} and handSize ${hand} should not be greater than ${maxHashBits}`));
  return errs;
}

function validateLimited(l: any, p: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const ncs = l.nominalConcurrencyShares ?? 0;
  if (ncs < 0) errs.push(invalid(`${p}.nominalConcurrencyShares`, ncs, 'must be a non-negative integer'));
  const lr = l.limitResponse ?? {};
  if (lr.type === 'Reject') {
    if (lr.queuing != null) errs.push(forbidden(`${p}.limitResponse.queuing`, 'must be nil if limited.limitResponse.type is not Limited'));
  } else if (lr.type === 'Queue') {
    if (lr.queuing == null) errs.push(required(`${p}.limitResponse.queuing`, 'must not be empty if limited.limitResponse.type is Limited'));
    else errs.push(...validateQueuing(lr.queuing, `${p}.limitResponse.queuing`));
  } else errs.push(notSupported(`${p}.limitResponse.type`, lr.type ?? '', responseTypes));
  if (l.lendablePercent != null && !(l.lendablePercent >= 0 && l.lendablePercent <= 100)) errs.push(invalid(`${p}.lendablePercent`, l.lendablePercent, 'must be between 0 and 100, inclusive'));
  if (l.borrowingLimitPercent != null && l.borrowingLimitPercent < 0) errs.push(invalid(`${p}.borrowingLimitPercent`, l.borrowingLimitPercent, 'if specified, must be a non-negative integer'));
  return errs;
}

function validateSpec(name: string, spec: any): FieldErrorList {
  const errs: FieldErrorList = [];
  if ((name === 'exempt') !== (spec.type === 'Exempt')) errs.push(invalid('spec.type', spec.type ?? '', "type must be 'Exempt' if and only if name is 'exempt'"));
  if (spec.type === 'Exempt') {
    if (spec.limited != null) errs.push(forbidden('spec.limited', 'must be nil if the type is not Limited'));
    const e = spec.exempt;
    if (e?.nominalConcurrencyShares != null && e.nominalConcurrencyShares < 0) errs.push(invalid('spec.exempt.nominalConcurrencyShares', e.nominalConcurrencyShares, 'must be a non-negative integer'));
    if (e?.lendablePercent != null && !(e.lendablePercent >= 0 && e.lendablePercent <= 100)) errs.push(invalid('spec.exempt.lendablePercent', e.lendablePercent, 'must be between 0 and 100, inclusive'));
  } else if (spec.type === 'Limited') {
    if (spec.exempt != null) errs.push(forbidden('spec.exempt', 'must be nil if the type is Limited'));
    if (spec.limited == null) errs.push(required('spec.limited', 'must not be empty when type is Limited'));
    else errs.push(...validateLimited(spec.limited, 'spec.limited'));
  } else errs.push(notSupported('spec.type', spec.type ?? '', types));
  return errs;
}

/** The mandatory levels keep kube's spec; 'exempt' may change only spec.exempt. */
function validateMandatory(name: string, spec: any): FieldErrorList {
  const mand = mandatoryPriorityLevel(name);
  if (!mand) return [];
  if (name === 'exempt') {
    const { exempt: _a, ...rest } = spec;
    const { exempt: _b, ...want } = mand.spec;
    return deepEqual(rest, want) ? [] : [invalid('spec', spec, "spec of 'exempt' except the 'spec.exempt' field must equal the fixed value")];
  }
  return deepEqual(spec, mand.spec) ? [] : [invalid('spec', spec, `spec of '${name}' must equal the fixed value`)];
}

export const strategy = defineStrategy({
  info: {
    group: 'flowcontrol.apiserver.k8s.io',
    version: 'v1',
    kind: 'PriorityLevelConfiguration',
    listKind: 'PriorityLevelConfigurationList',
    resource: 'prioritylevelconfigurations',
    singular: 'prioritylevelconfiguration',
    namespaced: false,
  },
  generation: true,
  status: {},
  defaults(pl) {
    const spec = (pl.spec ??= {});
    if (spec.exempt) {
      spec.exempt.nominalConcurrencyShares ??= 0;
      spec.exempt.lendablePercent ??= 0;
    }
    const l = spec.limited;
    if (l) {
      l.nominalConcurrencyShares ??= 30;
      l.lendablePercent ??= 0;
      const q = l.limitResponse?.queuing;
      if (q) {
        if (!q.queues) q.queues = 64;
        if (!q.handSize) q.handSize = 8;
        if (!q.queueLengthLimit) q.queueLengthLimit = 50;
      }
    }
  },
  validate(pl) {
    const name: string = pl.metadata?.name ?? '';
    const spec = pl.spec ?? {};
    return [...validateSpec(name, spec), ...validateMandatory(name, spec)];
  },
  table: table(
    [
      col('Type', 'string', '`type` indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.'),
      col('NominalConcurrencyShares', 'string', '`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.'),
      col('Queues', 'string', '`queues` is the number of queues for this priority level.'),
      col('HandSize', 'string', '`handSize` is a small positive number that configures the shuffle sharding of requests into queues.'),
      col('QueueLengthLimit', 'string', '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time.'),
      ageColumn,
    ],
    (pl, now) => {
      const l = pl.spec?.limited;
      const q = l?.limitResponse?.queuing;
      const none = '<none>';
      return [pl.spec?.type ?? '', l ? l.nominalConcurrencyShares ?? 0 : none, q ? q.queues : none, q ? q.handSize : none, q ? q.queueLengthLimit : none, age(pl, now)];
    },
  ),
});
