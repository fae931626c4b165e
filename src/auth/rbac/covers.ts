// Whether a set of rules covers another (kube's rbac/validation Covers, BreakdownRule and
// CompactRules): requested rules are broken down into one verb / group / resource / name each,
// every piece must be allowed by some owner rule, and the missing pieces are merged back (verbs
// of the same group/resource) and printed in kube's compact form for the Forbidden message.
import type { PolicyRule } from '../authz/types.js';

const has = (set: string[] | undefined, v: string) => (set ?? []).some((s) => s === '*' || s === v);

export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? [])
    for (const resource of rule.resources ?? [])
      for (const verb of rule.verbs) {
        if (rule.resourceNames?.length) for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], resourceNames: [name], verbs: [verb] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCovers(owner: string[] | undefined, resource: string): boolean {
  if (has(owner, resource)) return true;
  const slash = resource.indexOf('/');
  return slash > 0 && (owner ?? []).includes(`*/${resource.slice(slash + 1)}`);
}

function urlCovers(owner: string[] | undefined, url: string): boolean {
  return (owner ?? []).some((o) => o === '*' || o === url || (o.endsWith('*') && url.startsWith(o.slice(0, -1))));
}

/** Whether one owner rule covers one broken-down rule. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  if (!sub.verbs.every((v) => has(owner.verbs, v))) return false;
  if (sub.nonResourceURLs?.length) return sub.nonResourceURLs.every((u) => urlCovers(owner.nonResourceURLs, u));
  if (!(sub.apiGroups ?? []).every((g) => has(owner.apiGroups, g))) return false;
  if (!(sub.resources ?? []).every((r) => resourceCovers(owner.resources, r))) return false;
  if (!owner.resourceNames?.length) return true;
  return !!sub.resourceNames?.length && sub.resourceNames.every((n) => owner.resourceNames!.includes(n));
}

/** [covered, the missing broken-down rules]. */
export function covers(owner: PolicyRule[], requested: PolicyRule[]): [boolean, PolicyRule[]] {
  const missing: PolicyRule[] = [];
  for (const rule of requested) for (const sub of breakdownRule(rule)) if (!owner.some((o) => ruleCovers(o, sub))) missing.push(sub);
  return [missing.length === 0, missing];
}

/** Merge simple rules that differ only in verbs (same single group, resource and names). */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    if (r.nonResourceURLs?.length || r.apiGroups?.length !== 1 || r.resources?.length !== 1) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups[0], r.resources[0], r.resourceNames ?? []]);
    const cur = simple.get(key);
    if (cur) {
      for (const v of r.verbs) if (!cur.verbs.includes(v)) cur.verbs.push(v);
    } else {
      const c = { ...r, verbs: [...r.verbs] };
      simple.set(key, c);
      out.push(c);
    }
  }
  return out;
}

const q = (list: string[]) => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/** kube's CompactString: {APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

export const quoteList = q;
