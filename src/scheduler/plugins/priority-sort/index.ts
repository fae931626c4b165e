// PrioritySort (QueueSort): higher .spec.priority first, then earlier queue time.
import type { QueueSortPlugin, QueuedPodInfo } from '../../framework/interface.js';

export const name = 'PrioritySort';

export function factory(): QueueSortPlugin {
  return {
    name,
    less: (a: QueuedPodInfo, b: QueuedPodInfo) => {
      const pa = a.pod?.spec?.priority ?? 0;
      const pb = b.pod?.spec?.priority ?? 0;
      return pa > pb || (pa === pb && a.timestamp < b.timestamp);
    },
  };
}
