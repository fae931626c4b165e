// The Available condition of an APIService as keelson can know it: a Local APIService (served by
// this apiserver) is Available=True with kube's reason Local; one that points at a Service is
// Available=False, because keelson has no aggregation proxy to forward its requests to.
import type { KObject } from '../../strategy.js';

export const noProxyReason = 'AggregationNotSupported';

export function availableCondition(svc: KObject, now: Date): KObject {
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const s = svc.spec?.service;
  if (!s) return { type: 'Available', status: 'True', lastTransitionTime: time, reason: 'Local', message: 'Local APIServices are always available' };
  return {
    type: 'Available',
    status: 'False',
    lastTransitionTime: time,
    reason: noProxyReason,
    message: `keelson does not proxy aggregated APIs: requests for ${svc.spec?.group ?? ''}/${svc.spec?.version ?? ''} are not forwarded to service ${s.namespace ?? ''}/${s.name ?? ''}`,
  };
}

/** A status whose only condition is Available. */
export const apiServiceStatus = (svc: KObject, now: Date): KObject => ({ conditions: [availableCondition(svc, now)] });
