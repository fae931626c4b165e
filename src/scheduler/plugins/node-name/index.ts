// NodeName (Filter): a pod that names a node fits only that node.
import type { FilterPlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';

export const name = 'NodeName';
export const reason = "node(s) didn't match the requested node name";

export function factory(): FilterPlugin {
  return {
    name,
    filter(_s, pod, node) {
      const want = pod.spec?.nodeName;
      return !want || want === node.name ? Status.success() : Status.unresolvable(reason);
    },
  };
}
