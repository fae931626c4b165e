// Read-only views of the cluster objects some plugins need besides nodes and pods (kube's
// SharedLister / informer listers): claims, volumes and storage classes for the volume plugins,
// and the Services and controllers that select a pod for PodTopologySpread's system defaults.
// The live scheduler backs them with informers; tests and `explain` with plain lists.

export interface Listers {
  claim(namespace: string, name: string): any | undefined;
  volume(name: string): any | undefined;
  volumes(): any[];
  storageClass(name: string): any | undefined;
  /** storage.k8s.io CSINode of a node (per-driver volume limits); optional. */
  csiNode?(name: string): any | undefined;
  /** A Namespace (InterPodAffinity's namespaceSelector); optional. */
  namespace?(name: string): any | undefined;
  services(namespace: string): any[];
  replicationControllers(namespace: string): any[];
  replicaSets(namespace: string): any[];
  statefulSets(namespace: string): any[];
}

export interface ListerObjects {
  claims?: any[];
  volumes?: any[];
  storageClasses?: any[];
  csiNodes?: any[];
  namespaces?: any[];
  services?: any[];
  replicationControllers?: any[];
  replicaSets?: any[];
  statefulSets?: any[];
}

/** Listers over plain arrays (tests, `keelson scheduler explain`); the arrays are read live. */
export function staticListers(o: ListerObjects): Listers {
  const inNs = (list: any[] | undefined, ns: string) => (list ?? []).filter((x) => x.metadata?.namespace === ns);
  return {
    claim: (ns, name) => (o.claims ?? []).find((c) => c.metadata?.namespace === ns && c.metadata?.name === name),
    volume: (name) => (o.volumes ?? []).find((v) => v.metadata?.name === name),
    volumes: () => o.volumes ?? [],
    storageClass: (name) => (o.storageClasses ?? []).find((c) => c.metadata?.name === name),
    csiNode: (name) => (o.csiNodes ?? []).find((c) => c.metadata?.name === name),
    namespace: (name) => (o.namespaces ?? []).find((n) => n.metadata?.name === name),
    services: (ns) => inNs(o.services, ns),
    replicationControllers: (ns) => inNs(o.replicationControllers, ns),
    replicaSets: (ns) => inNs(o.replicaSets, ns),
    statefulSets: (ns) => inNs(o.statefulSets, ns),
  };
}
