// Pod helpers shared by workload controllers: readiness, availability, ownership.
export type K = Record<string, any>;

export const isPodActive = (p: K): boolean => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp;
export const isTerminal = (p: K): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export function podReadyCondition(p: K): K | undefined {
  return (p.status?.conditions ?? []).find((c: K) => c.type === 'Ready');
}
export const isPodReady = (p: K): boolean => podReadyCondition(p)?.status === 'True';

/** Ready for at least minReadySeconds (Kubernetes' IsPodAvailable). */
export function isPodAvailable(p: K, minReadySeconds: number, now: number): boolean {
  const c = podReadyCondition(p);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

export function controllerRef(obj: K): K | undefined {
  return (obj.metadata?.ownerReferences ?? []).find((r: K) => r.controller === true);
}

export function ownerRefFor(owner: K, apiVersion: string, kind: string): K {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export const nsKey = (obj: K): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

/** A Kubernetes-style timestamp: RFC3339 in whole seconds. */
export const k8sTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A pod object from a pod template, owned by `owner` (GetPodFromTemplate). */
export function podFromTemplate(template: K, owner: K, ownerApiVersion: string, ownerKind: string, extraLabels: Record<string, string> = {}): K {
  const md = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(md.labels ?? {}), ...extraLabels },
      ...(md.annotations ? { annotations: { ...md.annotations } } : {}),
      ...(md.finalizers ? { finalizers: [...md.finalizers] } : {}),
      ownerReferences: [ownerRefFor(owner, ownerApiVersion, ownerKind)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}
