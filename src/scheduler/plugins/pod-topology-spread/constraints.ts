// The spread constraints PodTopologySpread enforces for a pod: its own
// spec.topologySpreadConstraints, or, when it has none, the default constraints (the plugin
// args' defaultConstraints with defaultingType List, kube's system defaults with System) with
// the selector of the Services and controllers that select the pod.
import type { Listers } from '../../framework/listers.js';
import { defaultSelector } from './default-selector.js';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: any;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

/** Kube's system default constraints (defaultingType: System, the default). */
export const SYSTEM_DEFAULT_CONSTRAINTS = [
  { maxSkew: 3, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
];

/** The default constraints the plugin args ask for (kube's PodTopologySpreadArgs). */
export function defaultConstraintsOf(args: Record<string, any>): { constraints: any[]; system: boolean } {
  const type = args.defaultingType ?? 'System';
  if (type !== 'System' && type !== 'List') throw new Error(`PodTopologySpreadArgs: defaultingType: Unsupported value: "${type}": supported values: "List", "System"`);
  const listed: any[] = args.defaultConstraints ?? [];
  if (type === 'System') {
    if (listed.length) throw new Error('PodTopologySpreadArgs: defaultConstraints: Invalid value: when .defaultingType is "System", .defaultConstraints must be empty');
    return { constraints: SYSTEM_DEFAULT_CONSTRAINTS, system: true };
  }
  for (const c of listed) if (c.labelSelector) throw new Error('PodTopologySpreadArgs: defaultConstraints[].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod');
  return { constraints: listed, system: false };
}

/** The pod's constraints of one kind; `own` tells whether they are the pod's (not defaults). */
export function constraintsOf(pod: any, action: 'DoNotSchedule' | 'ScheduleAnyway', defaults: any[], listers: Listers | undefined): { list: Constraint[]; own: boolean } {
  let list: any[] = pod.spec?.topologySpreadConstraints ?? [];
  const own = list.length > 0;
  if (!own) {
    const wanted = defaults.filter((d) => (d.whenUnsatisfiable ?? 'DoNotSchedule') === action);
    const selector = wanted.length ? defaultSelector(pod, listers) : undefined;
    list = selector ? wanted.map((d) => ({ ...d, labelSelector: selector })) : [];
  }
  return {
    own,
    list: list
      .filter((c) => (c.whenUnsatisfiable ?? 'DoNotSchedule') === action)
      .map((c) => {
        const selector = structuredClone(c.labelSelector ?? {});
        for (const k of c.matchLabelKeys ?? []) {
          const v = pod.metadata?.labels?.[k];
          if (v !== undefined) (selector.matchExpressions ??= []).push({ key: k, operator: 'In', values: [v] });
        }
        return {
          maxSkew: c.maxSkew ?? 1,
          topologyKey: c.topologyKey,
          selector,
          minDomains: c.minDomains ?? 1,
          honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
          honorTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
        };
      }),
  };
}
