// Which Services care about a pod change: those whose selector matches the pod before or after.
import { matchesMapSelector } from '../../api/selectors/selector-objects.js';
import type { Informer } from '../../client/informer.js';
import { nsKey, type K } from '../pod-util.js';

export function serviceKeysForPod(services: Informer, old: K | undefined, pod: K): Set<string> {
  const keys = new Set<string>();
  for (const s of services.byIndex('namespace', pod.metadata?.namespace ?? '') as K[]) {
    if (matchesMapSelector(s.spec?.selector, pod.metadata?.labels) || (old && matchesMapSelector(s.spec?.selector, old.metadata?.labels))) keys.add(nsKey(s));
  }
  return keys;
}
