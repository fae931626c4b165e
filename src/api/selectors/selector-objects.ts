// Matching of the selector *objects* in API types (as opposed to the string form of
// ?labelSelector=): metav1.LabelSelector {matchLabels, matchExpressions} used by workloads,
// services' plain map selectors, and v1.NodeSelector terms used by node affinity.

export interface LabelSelectorRequirement {
  key: string;
  operator: string; // In, NotIn, Exists, DoesNotExist
  values?: string[];
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * metav1.LabelSelector semantics: all matchLabels and all expressions must hold. An empty
 * selector ({}) matches everything; a missing (undefined/null) selector matches nothing.
 */
export function matchesLabelSelector(sel: LabelSelectorObject | null | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) if (!matchRequirement(e, l)) return false;
  return true;
}

function matchRequirement(e: LabelSelectorRequirement, l: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(l, e.key);
  switch (e.operator) {
    case 'In':
      return has && (e.values ?? []).includes(l[e.key]);
    case 'NotIn':
      return !has || !(e.values ?? []).includes(l[e.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/** A Service-style map selector: every pair must match; an empty map selects nothing here. */
export function matchesMapSelector(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel || Object.keys(sel).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(sel).every(([k, v]) => l[k] === v);
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string; // In, NotIn, Exists, DoesNotExist, Gt, Lt
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

function matchNodeRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value!);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || (r.values ?? []).length !== 1) return false;
      const a = Number.parseInt(value!, 10);
      const b = Number.parseInt(r.values![0], 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** One term: all its expressions (labels) and fields (only metadata.name) must hold; an empty term matches nothing. */
export function matchesNodeSelectorTerm(term: NodeSelectorTerm, node: { metadata?: { name?: string; labels?: Record<string, string> } }): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) if (!matchNodeRequirement(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined)) return false;
  for (const r of fields) if (r.key !== 'metadata.name' || !matchNodeRequirement(r, node.metadata?.name)) return false;
  return true;
}

/** v1.NodeSelector: the terms are ORed. */
export function matchesNodeSelector(sel: { nodeSelectorTerms?: NodeSelectorTerm[] } | undefined, node: { metadata?: { name?: string; labels?: Record<string, string> } }): boolean {
  return (sel?.nodeSelectorTerms ?? []).some((t) => matchesNodeSelectorTerm(t, node));
}
