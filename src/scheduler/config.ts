// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): profiles, each a scheduler name
// with plugins enabled/disabled per extension point (or via multiPoint) and plugin args.
// Defaults are Kubernetes' default plugin set and weights.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { EXTENSION_POINTS, type ExtensionPoint, type ProfileSpec } from './framework/runtime.js';
import { has, type Handle, type Plugin, type PluginFactory } from './framework/interface.js';

export interface PluginRef {
  name: string;
  weight?: number;
}
export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}
export interface ProfileConfig {
  schedulerName?: string;
  plugins?: Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;
  pluginConfig?: Array<{ name: string; args?: Record<string, any> }>;
  percentageOfNodesToScore?: number;
}
export interface SchedulerConfig {
  apiVersion?: string;
  kind?: string;
  percentageOfNodesToScore?: number;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  profiles?: ProfileConfig[];
  leaderElection?: { leaderElect?: boolean; leaseDuration?: string; renewDeadline?: string; retryPeriod?: string; resourceName?: string; resourceNamespace?: string };
}

/** Kubernetes' default multiPoint plugins and score weights. */
export const DEFAULT_PLUGINS: PluginRef[] = [
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeRestrictions' },
  { name: 'NodeVolumeLimits' },
  { name: 'VolumeBinding' },
  { name: 'VolumeZone' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

export function loadSchedulerConfig(path: string): SchedulerConfig {
  const cfg = parse(readFileSync(path, 'utf8')) as SchedulerConfig;
  if (cfg?.kind && cfg.kind !== 'KubeSchedulerConfiguration') throw new Error(`${path}: kind ${cfg.kind} is not KubeSchedulerConfiguration`);
  return cfg ?? {};
}

const implementsPoint = (p: Plugin, point: ExtensionPoint): boolean => has[point](p);

/** Resolve one profile into the plugin list per extension point, with weights and args. */
export function resolveProfile(profile: ProfileConfig, registry: Record<string, PluginFactory>, handle: Handle): ProfileSpec {
  const args: Record<string, Record<string, any>> = {};
  for (const pc of profile.pluginConfig ?? []) args[pc.name] = pc.args ?? {};
  const probes = new Map<string, Plugin>();
  const probe = (name: string) => {
    if (!probes.has(name)) {
      const f = registry[name];
      if (!f) throw new Error(`unknown scheduler plugin "${name}"`);
      probes.set(name, f(args[name] ?? {}, handle));
    }
    return probes.get(name)!;
  };
  const plugins = profile.plugins ?? {};
  const mp = plugins.multiPoint ?? {};
  const mpDisabledAll = (mp.disabled ?? []).some((d) => d.name === '*');
  const mpDisabled = new Set((mp.disabled ?? []).map((d) => d.name));
  const multi: PluginRef[] = [...(mpDisabledAll ? [] : DEFAULT_PLUGINS.filter((p) => !mpDisabled.has(p.name)))];
  for (const e of mp.enabled ?? []) {
    const i = multi.findIndex((m) => m.name === e.name);
    if (i >= 0) multi[i] = { ...multi[i], ...e };
    else multi.push(e);
  }
  const weights: Record<string, number> = {};
  for (const m of multi) if (m.weight) weights[m.name] = m.weight;
  const points = {} as Record<ExtensionPoint, string[]>;
  for (const point of EXTENSION_POINTS) {
    const set = plugins[point] ?? {};
    const disabledAll = (set.disabled ?? []).some((d) => d.name === '*');
    const disabled = new Set((set.disabled ?? []).map((d) => d.name));
    const specific = set.enabled ?? [];
    const list: string[] = [];
    for (const e of specific) {
      if (!implementsPoint(probe(e.name), point)) throw new Error(`plugin "${e.name}" does not support extension point ${point}`);
      list.push(e.name);
      if (point === 'score' && e.weight) weights[e.name] = e.weight;
    }
    if (!disabledAll)
      for (const m of multi) if (!disabled.has(m.name) && !list.includes(m.name) && implementsPoint(probe(m.name), point)) list.push(m.name);
    points[point] = point === 'queueSort' ? list.slice(0, 1) : list;
  }
  return { schedulerName: profile.schedulerName ?? 'default-scheduler', points, weights, args };
}

/**
 * How many feasible nodes to find before scoring (Kubernetes' numFeasibleNodesToFind): all below
 * 100 nodes; otherwise an adaptive percentage (50% minus 1% per 125 nodes, at least 5%), at
 * least 100 nodes.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  const minFeasible = 100;
  if (numAllNodes < minFeasible || percentage >= 100) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(5, 50 - Math.floor(numAllNodes / 125));
  const n = Math.floor((numAllNodes * pct) / 100);
  return Math.max(minFeasible, n);
}
