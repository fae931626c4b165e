// The kubelet server's GET /pods: a v1 PodList of the pods this kubelet runs (API pods bound to
// the node and static pods), each with the status the kubelet last computed (its status
// manager's, as the real kubelet's GetPods; pod-worker.ts view()), so static pods show their
// status even while the apiserver is away. Authorized as nodes/proxy (auth.ts).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodView } from '../pod-worker.js';

export interface PodListBody {
  kind: 'PodList';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  items: Pod[];
}

/** The PodList body for the pods of these views, sorted by namespace and name. */
export function kubeletPodList(views: Iterable<PodView>): PodListBody {
  const items = [...views]
    .map((v) => ({ ...v.pod, apiVersion: 'v1', kind: 'Pod' }) as Pod)
    .sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
  return { kind: 'PodList', apiVersion: 'v1', metadata: {}, items };
}
