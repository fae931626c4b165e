// The selector default spreading constraints use (kube's helper.DefaultSelector): the union of
// the selectors of the Services, ReplicationControllers, ReplicaSets and StatefulSets in the
// pod's namespace that select the pod. Empty when nothing selects it (then no defaults apply).
import type { Listers } from '../../framework/listers.js';
import { matchesLabelSelector } from '../../../api/selectors/selector-objects.js';

export interface DefaultSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

const mapSelects = (sel: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);

const objectSelects = (sel: any, labels: Record<string, string>) =>
  !!sel && (Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions ?? []).length > 0) && matchesLabelSelector(sel, labels);

export function defaultSelector(pod: any, listers: Listers | undefined): DefaultSelector | undefined {
  if (!listers) return undefined;
  const ns = pod.metadata?.namespace ?? 'default';
  const labels: Record<string, string> = pod.metadata?.labels ?? {};
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<DefaultSelector['matchExpressions']> = [];
  for (const svc of listers.services(ns)) if (mapSelects(svc.spec?.selector, labels)) Object.assign(matchLabels, svc.spec.selector);
  for (const rc of listers.replicationControllers(ns)) if (mapSelects(rc.spec?.selector, labels)) Object.assign(matchLabels, rc.spec.selector);
  for (const owner of [...listers.replicaSets(ns), ...listers.statefulSets(ns)]) {
    const sel = owner.spec?.selector;
    if (!objectSelects(sel, labels)) continue;
    for (const [k, v] of Object.entries<string>(sel.matchLabels ?? {})) matchExpressions.push({ key: k, operator: 'In', values: [v] });
    matchExpressions.push(...(sel.matchExpressions ?? []));
  }
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
  return { matchLabels, matchExpressions };
}
