// `keelson scheduler explain POD`: why a pod goes (or went, or cannot go) where it does. It
// takes the cluster as the apiserver shows it now, sets the pod aside (as if unscheduled), and
// runs its profile's filters and scores read-only: each node's verdict with the rejecting
// plugin and reasons, each plugin's weighted score on the feasible nodes, and the winner.
import type { RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import { SchedulerCache } from './cache.js';
import { resolveProfile, type SchedulerConfig } from './config.js';
import { decide, fitErrorMessage, type Decision } from './decide.js';
import { CycleState } from './framework/cycle-state.js';
import type { Handle } from './framework/interface.js';
import { staticListers } from './framework/listers.js';
import { podKey } from './framework/node-info.js';
import { Framework } from './framework/runtime.js';
import { inTreeRegistry } from './plugins/registry.js';
import { podRequests } from './framework/resources.js';

export interface Explanation {
  pod: string;
  decision: Decision;
  boundTo?: string;
  message?: string;
}

export async function explainPod(client: RestClient, namespace: string, name: string, config: SchedulerConfig = {}): Promise<Explanation> {
  const pod = await client.get(resourcePath(Resources.pods, namespace, name));
  const items = (r: Parameters<typeof resourcePath>[0]) => client.get(resourcePath(r)).then((l: any) => l.items ?? [], () => []);
  const [nodes, pods, pdbs, claims, volumes, storageClasses, csiNodes, services, replicationControllers, replicaSets, statefulSets, namespaces] = await Promise.all([
    client.get(resourcePath(Resources.nodes)),
    client.get(resourcePath(Resources.pods)),
    client.get(resourcePath(Resources.poddisruptionbudgets)).catch(() => ({ items: [] })),
    ...[Resources.persistentvolumeclaims, Resources.persistentvolumes, Resources.storageclasses, Resources.csinodes, Resources.services, Resources.replicationcontrollers, Resources.replicasets, Resources.statefulsets, Resources.namespaces].map(items),
  ]);
  const cache = new SchedulerCache();
  for (const n of nodes.items ?? []) cache.setNode(n);
  const key = podKey(pod);
  for (const p of pods.items ?? []) if (p.spec?.nodeName && podKey(p) !== key && !['Succeeded', 'Failed'].includes(p.status?.phase)) cache.addPod(p);
  const unbound = { ...pod, spec: { ...pod.spec, nodeName: undefined } };
  const handle: Handle = {
    nodes: () => cache.nodeInfos(),
    imageNodeCount: (img) => cache.imageNodeCount(img),
    affinityTotals: () => cache.affinityTotals,
    node: (n) => cache.node(n),
    bindPod: async () => {},
    deletePod: async () => {},
    nominate: async () => {},
    pdbs: () => pdbs.items ?? [],
    listers: staticListers({ claims, volumes, storageClasses, csiNodes, services, replicationControllers, replicaSets, statefulSets, namespaces }),
    priorityOf: (p) => p.spec?.priority ?? 0,
    filterDryRun: (p, n, all) => {
      const st = new CycleState();
      const pre = fw.runPreFilter(st, p, all);
      return pre.status.isSuccess() ? fw.runFilter(st, p, n) : pre.status;
    },
  };
  const profile = (config.profiles ?? []).find((p) => (p.schedulerName ?? 'default-scheduler') === (pod.spec?.schedulerName ?? 'default-scheduler')) ?? {};
  const fw: Framework = new Framework(resolveProfile(profile, inTreeRegistry, handle), inTreeRegistry, handle);
  // Explain every node: no early stop.
  const decision = decide(fw, unbound, cache.nodeInfos(), { percentageOfNodesToScore: 100, random: () => 0.99 });
  return { pod: `${namespace}/${name}`, decision, boundTo: pod.spec?.nodeName, message: decision.node ? undefined : fitErrorMessage(decision) };
}

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('   ').trimEnd()).join('\n');
}

export function renderExplanation(e: Explanation, pod?: any): string {
  const d = e.decision;
  const out: string[] = [];
  const req = pod ? podRequests(pod) : undefined;
  out.push(`Pod ${e.pod}` + (req ? ` requests cpu=${req.milliCPU}m memory=${req.memory}` : '') + (e.boundTo ? ` (bound to ${e.boundTo})` : ''));
  const plugins = [...new Set(d.scores.flatMap((s) => Object.keys(s.byPlugin)))];
  const header = ['NODE', 'FILTER', ...plugins, 'TOTAL'];
  const rows: string[][] = [header];
  const byScore = [...d.scores].sort((a, b) => b.total - a.total);
  for (const s of byScore) rows.push([s.name + (s.name === d.node ? ' *' : ''), 'fits', ...plugins.map((p) => String(s.byPlugin[p] ?? '-')), String(s.total)]);
  for (const [name, st] of d.rejected) rows.push([name, `${st.reasons.join(', ')} (${st.plugin})`, ...plugins.map(() => ''), '']);
  out.push(pad(rows));
  out.push(d.node ? `Chosen: ${d.node} (highest total score${d.scores.length > 1 ? '; scores are weighted, 0-100 per plugin before weight' : ''})` : `Unschedulable: ${e.message}`);
  return out.join('\n');
}

