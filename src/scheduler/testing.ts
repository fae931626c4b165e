// Helpers for scheduler tests: nodes and pods as plain objects, and a framework over them with
// an in-memory Handle (no API server).
import { SchedulerCache } from './cache.js';
import { resolveProfile, type ProfileConfig } from './config.js';
import { CycleState } from './framework/cycle-state.js';
import type { Handle } from './framework/interface.js';
import { staticListers, type ListerObjects } from './framework/listers.js';
import type { NodeInfo } from './framework/node-info.js';
import { Framework } from './framework/runtime.js';
import { Status } from './framework/status.js';
import { inTreeRegistry } from './plugins/registry.js';
import { Nominator } from './queue/nominator.js';

export function node(name: string, cpu: string, opts: { memory?: string; pods?: string; labels?: Record<string, string>; taints?: any[]; unschedulable?: boolean; images?: any[] } = {}): any {
  const alloc = { cpu, memory: opts.memory ?? '64Gi', pods: opts.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { capacity: alloc, allocatable: alloc, images: opts.images },
  };
}

export function pod(name: string, opts: { cpu?: string; memory?: string; labels?: Record<string, string>; nodeName?: string; priority?: number; spec?: any; namespace?: string } = {}): any {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default', uid: `uid-${name}`, labels: opts.labels ?? {} },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests } }], nodeName: opts.nodeName, priority: opts.priority ?? 0, ...opts.spec },
  };
}

export interface TestCluster {
  cache: SchedulerCache;
  fw: Framework;
  handle: Handle;
  deleted: string[];
  nominated: Record<string, string>;
  /** Pods nominated by preemption (handle.nominate), as the scheduler keeps them. */
  nominator: Nominator;
}

/** Replace the object of the same namespace/name in `list`, with a bumped resourceVersion (as the API would). */
function store(list: any[], obj: any): any {
  const i = list.findIndex((x) => x.metadata?.name === obj.metadata?.name && x.metadata?.namespace === obj.metadata?.namespace);
  const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(Number(obj.metadata?.resourceVersion ?? 0) + 1) } };
  if (i >= 0) list[i] = stored;
  else list.push(stored);
  return stored;
}

export function testCluster(nodes: any[], pods: any[] = [], profile: ProfileConfig = {}, pdbs: any[] = [], objects: ListerObjects = {}): TestCluster {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(n);
  for (const p of pods) cache.addPod(p);
  const deleted: string[] = [];
  const nominated: Record<string, string> = {};
  const nominator = new Nominator();
  const handle: Handle = {
    nodes: () => cache.nodeInfos(),
    imageNodeCount: (img) => cache.imageNodeCount(img),
    affinityTotals: () => cache.affinityTotals,
    node: (n) => cache.node(n),
    bindPod: async (p, n) => cache.assume(p, n),
    deletePod: async (p) => {
      deleted.push(p.metadata.name);
      cache.removePod(p);
    },
    nominate: async (p, n) => {
      nominated[p.metadata.name] = n;
      nominator.set({ ...p, status: { ...p.status, nominatedNodeName: n || undefined } }, n);
    },
    nominatedPods: (n) => nominator.podsOn(n).map((pi) => pi.pod),
    pdbs: () => pdbs,
    priorityOf: (p) => p.spec?.priority ?? 0,
    listers: staticListers(objects),
    updateVolume: async (pv) => store((objects.volumes ??= []), pv),
    updateClaim: async (pvc) => store((objects.claims ??= []), pvc),
    filterDryRun: (p, n: NodeInfo, all: NodeInfo[]) => {
      const st = new CycleState();
      const pre = fw.runPreFilter(st, p, all);
      if (!pre.status.isSuccess()) return pre.status;
      return pre.result?.nodeNames && !pre.result.nodeNames.has(n.name) ? Status.unresolvable('prefilter') : fw.runFilterWithNominatedPods(st, p, n, nominator.podsFor(n.name, p), all);
    },
  };
  const fw: Framework = new Framework(resolveProfile(profile, inTreeRegistry, handle), inTreeRegistry, handle);
  return { cache, fw, handle, deleted, nominated, nominator };
}
