// DefaultTolerationSeconds admission (kube's plugin of that name): a pod that does not tolerate
// the node.kubernetes.io/not-ready or node.kubernetes.io/unreachable NoExecute taints gets a
// toleration for each, for 300 s (kube's --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds defaults), so it is evicted 5 minutes after its node
// fails.
import type { AdmissionPlugin } from '../filters/pipeline.js';
import type { KObject } from '../registry/strategy.js';
import { isResource } from './lookup.js';

export const notReadyTaint = 'node.kubernetes.io/not-ready';
export const unreachableTaint = 'node.kubernetes.io/unreachable';

const tolerates = (ts: KObject[], key: string) => ts.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));

export function addDefaultTolerations(spec: KObject, notReadySeconds = 300, unreachableSeconds = 300): void {
  const ts: KObject[] = spec.tolerations ?? [];
  const add: KObject[] = [];
  if (!tolerates(ts, notReadyTaint)) add.push({ key: notReadyTaint, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReadySeconds });
  if (!tolerates(ts, unreachableTaint)) add.push({ key: unreachableTaint, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachableSeconds });
  if (add.length) spec.tolerations = [...ts, ...add];
}

export function defaultTolerationSeconds(opts: { notReadySeconds?: number; unreachableSeconds?: number } = {}): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(a) {
      if (!isResource(a, '', 'pods') || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      addDefaultTolerations((a.object.spec ??= {}), opts.notReadySeconds, opts.unreachableSeconds);
    },
  };
}
