// NodeUnschedulable (Filter): a cordoned node (spec.unschedulable) takes only pods that tolerate
// the node.kubernetes.io/unschedulable:NoSchedule taint.
import type { FilterPlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import { toleratesTaint } from '../taint-toleration/tolerations.js';

export const name = 'NodeUnschedulable';
export const reason = 'node(s) were unschedulable';

export function factory(): FilterPlugin {
  return {
    name,
    filter(_s, pod, node) {
      if (!node.node?.spec?.unschedulable) return Status.success();
      if (toleratesTaint(pod.spec?.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return Status.success();
      return Status.unresolvable(reason);
    },
  };
}
