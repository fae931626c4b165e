// kube's audit Policy (audit.k8s.io/v1, `--audit-policy-file`): rules checked in order, the first
// match decides the level (no match: None), with omitStages (policy's and rule's) and
// omitManagedFields. Matching follows kube-apiserver's policy checker: users, userGroups, verbs,
// then resources (group, resources with "*", "*/sub", "res/*", resourceNames) and namespaces for
// resource requests, or nonResourceURLs (exact or trailing "*") for the others.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RequestInfo } from '../request-info.js';
import type { UserInfo } from '../filters/pipeline.js';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

const levels: Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const stages: Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

interface Rule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface PolicyDecision {
  level: Level;
  omitStages: Set<Stage>;
  omitManagedFields: boolean;
}

export class AuditPolicyError extends Error {}

export class AuditPolicy {
  private constructor(
    private readonly rules: Rule[],
    private readonly omitStages: Stage[],
    private readonly omitManagedFields: boolean,
  ) {}

  static fromFile(path: string): AuditPolicy {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new AuditPolicyError(`failed to read audit policy file "${path}": ${(e as Error).message}`);
    }
    try {
      return AuditPolicy.parse(text);
    } catch (e) {
      if (e instanceof AuditPolicyError) throw new AuditPolicyError(`invalid audit policy file "${path}": ${e.message}`);
      throw e;
    }
  }

  static parse(text: string): AuditPolicy {
    let doc: { apiVersion?: string; kind?: string; rules?: Rule[]; omitStages?: Stage[]; omitManagedFields?: boolean };
    try {
      doc = parseYaml(text) ?? {};
    } catch (e) {
      throw new AuditPolicyError(`invalid YAML: ${(e as Error).message}`);
    }
    if (doc.kind !== 'Policy' || doc.apiVersion !== 'audit.k8s.io/v1')
      throw new AuditPolicyError(`got apiVersion "${doc.apiVersion ?? ''}" kind "${doc.kind ?? ''}", expected apiVersion "audit.k8s.io/v1" kind "Policy"`);
    const errs: string[] = [];
    const checkStages = (path: string, s: unknown) => {
      (Array.isArray(s) ? s : []).forEach((st, i) => {
        if (!stages.includes(st)) errs.push(`${path}[${i}]: Unsupported value: "${st}": supported values: ${stages.map((x) => `"${x}"`).join(', ')}`);
      });
    };
    checkStages('omitStages', doc.omitStages);
    const rules = Array.isArray(doc.rules) ? doc.rules : [];
    rules.forEach((r, i) => {
      const p = `rules[${i}]`;
      if (!r || typeof r !== 'object') return errs.push(`${p}: Invalid value: expected a rule`);
      if (!r.level) errs.push(`${p}.level: Required value`);
      else if (!levels.includes(r.level)) errs.push(`${p}.level: Unsupported value: "${r.level}": supported values: ${levels.map((x) => `"${x}"`).join(', ')}`);
      if (r.nonResourceURLs?.length && (r.resources?.length || r.namespaces?.length))
        errs.push(`${p}.nonResourceURLs: Invalid value: ${JSON.stringify(r.nonResourceURLs)}: rules cannot apply to both regular resources and non-resource URLs`);
      (r.nonResourceURLs ?? []).forEach((u, j) => {
        if (u !== '*' && !u.startsWith('/')) errs.push(`${p}.nonResourceURLs[${j}]: Invalid value: "${u}": non-resource URL rules must begin with a '/' character`);
        else if (u.slice(0, -1).includes('*')) errs.push(`${p}.nonResourceURLs[${j}]: Invalid value: "${u}": non-resource URL wildcards ('*') must be the final character of the rule`);
      });
      (r.resources ?? []).forEach((g, j) => {
        if ((g.resourceNames ?? []).length && (g.resources ?? []).some((x) => x.includes('*')))
          errs.push(`${p}.resources[${j}].resourceNames: Invalid value: ${JSON.stringify(g.resourceNames)}: using resourceNames with wildcard resources is not allowed`);
      });
      checkStages(`${p}.omitStages`, r.omitStages);
    });
    if (errs.length) throw new AuditPolicyError(errs.join(', '));
    return new AuditPolicy(rules, doc.omitStages ?? [], doc.omitManagedFields ?? false);
  }

  /** The level (and omitted stages) for a request by this user (undefined: authentication failed; rules naming users or groups do not match). */
  decide(user: UserInfo | undefined, info: RequestInfo): PolicyDecision {
    for (const r of this.rules) {
      if (!ruleMatches(r, user, info)) continue;
      return { level: r.level, omitStages: new Set([...this.omitStages, ...(r.omitStages ?? [])]), omitManagedFields: r.omitManagedFields ?? this.omitManagedFields };
    }
    return { level: 'None', omitStages: new Set(), omitManagedFields: this.omitManagedFields };
  }
}

export function levelAtLeast(l: Level, min: Level): boolean {
  return levels.indexOf(l) >= levels.indexOf(min);
}

function ruleMatches(r: Rule, user: UserInfo | undefined, info: RequestInfo): boolean {
  if (r.users?.length && (!user || !r.users.includes(user.name))) return false;
  if (r.userGroups?.length && (!user || !user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(info.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return matchesResource(r, info);
  if (r.nonResourceURLs?.length) return !info.isResourceRequest && r.nonResourceURLs.some((spec) => pathMatches(info.path, spec));
  return true;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.slice(0, -1));
}

function matchesResource(r: Rule, info: RequestInfo): boolean {
  if (!info.isResourceRequest) return false;
  // Cluster-scoped resources match the namespace "".
  if (r.namespaces?.length && !r.namespaces.includes(info.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== info.group) continue;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(info.name)) continue;
    for (const res of gr.resources) {
      if (res === '*' || res === combined) return true;
      if (info.subresource && res.startsWith('*/') && res.slice(2) === info.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === info.resource) return true;
    }
  }
  return false;
}
