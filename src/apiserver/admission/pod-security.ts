// PodSecurity admission (kube's plugin of that name, pod-security-admission's Validate): a
// namespace's pod-security.kubernetes.io/{enforce,warn,audit}[-version] labels, over the
// configured defaults, choose a Pod Security Standards level per mode.
// - Pods: the enforce level refuses (`violates PodSecurity "restricted:latest": ...`, 403); the
//   warn level answers Warning headers (`would violate PodSecurity ...`) unless the request is
//   refused anyway; the audit level adds the audit annotation
//   pod-security.kubernetes.io/audit-violations; every evaluated pod carries
//   pod-security.kubernetes.io/enforce-policy.
// - Workloads (deployments, jobs, ... by their pod template): warn and audit only, never refused.
// - Namespaces: labels must name a valid level and version; tightening enforce warns about the
//   pods already there (grouped, lexically first pod name, at most 3000 pods or 1 s of checks).
// - Exemptions (PodSecurityConfiguration): usernames, namespaces, runtimeClasses, recorded as
//   pod-security.kubernetes.io/exempt; none by default, as kube.
// Pod updates are evaluated only when they can change the verdict (kube's isSignificantPodUpdate).
// Each mode's version picks the checks of that version (pod-security-checks.ts).
import type { AdmissionAttributes, AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { addAuditAnnotation } from '../registry/generic/context.js';
import { invalid } from '../status.js';
import { admissionForbidden, getObject, isResource, listObjects, oldObjectOf } from './lookup.js';
import { evaluatePod, formatViolations, type Violation } from './pod-security-checks.js';
import { compareLevels, display, fullyPrivileged, labelPrefix, policyToEvaluate, privilegedPolicy, sameLevelVersion, validateLabels, type LevelVersion, type Policy, type PodSecurityConfig } from './pod-security-policy.js';

export { validateLabels } from './pod-security-policy.js';

/** Where each workload kind keeps its pod template. */
const templates: Record<string, (o: KObject) => KObject | undefined> = {
  'apps/deployments': (o) => o.spec?.template,
  'apps/replicasets': (o) => o.spec?.template,
  'apps/statefulsets': (o) => o.spec?.template,
  'apps/daemonsets': (o) => o.spec?.template,
  'batch/jobs': (o) => o.spec?.template,
  'batch/cronjobs': (o) => o.spec?.jobTemplate?.spec?.template,
  '/replicationcontrollers': (o) => o.spec?.template,
  '/podtemplates': (o) => o.template,
};

/** Pod subresources kube does not evaluate (any other one carries a pod). */
const ignoredPodSubresources = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** kube's limits on the pods checked when a namespace's enforce level tightens. */
const maxPodsToCheck = 3000;
const podCheckTimeoutMs = 1000;

/**
 * Whether a pod update is evaluated (kube's isSignificantPodUpdate): only images, the number of
 * containers, the per-container seccomp annotations and ephemeral containers can change the verdict.
 */
export function significantUpdate(pod: KObject, old: KObject | undefined): boolean {
  if (!old) return true;
  const ann = pod.metadata?.annotations ?? {};
  const oldAnn = old.metadata?.annotations ?? {};
  const changed = (c: KObject, oc: KObject) => c.image !== oc.image || ann[`container.seccomp.security.alpha.kubernetes.io/${c.name}`] !== oldAnn[`container.seccomp.security.alpha.kubernetes.io/${c.name}`];
  for (const k of ['containers', 'initContainers']) {
    const cs: KObject[] = pod.spec?.[k] ?? [];
    const ocs: KObject[] = old.spec?.[k] ?? [];
    if (cs.length !== ocs.length || cs.some((c, i) => changed(c, ocs[i]))) return true;
  }
  const oldEphemeral: KObject[] = old.spec?.ephemeralContainers ?? [];
  for (const c of (pod.spec?.ephemeralContainers ?? []) as KObject[]) {
    const oc = oldEphemeral.find((o) => o.name === c.name);
    if (!oc || changed(c, oc)) return true;
  }
  return false;
}

const exemptKey = `${labelPrefix}exempt`;

export function podSecurity(resources: Resources, config?: PodSecurityConfig): AdmissionPlugin {
  const defaults = config?.defaults ?? privilegedPolicy();
  const exempt = config?.exemptions ?? { usernames: [], runtimeClasses: [], namespaces: [] };
  const nsLabels = async (ns: string) => (await getObject(resources, ['', 'v1', 'namespaces'], '', ns))?.metadata?.labels as Record<string, string> | undefined;

  /** "namespace ... is exempt" when an exempt namespace sets a non-privileged policy (kube's exemptNamespaceWarning). */
  function exemptNamespaceWarning(ns: string, p: Policy, labels: Record<string, string> | undefined): string | undefined {
    const equivalent = (['enforce', 'audit', 'warn'] as const).every((m) => (p[m].level === 'privileged' && defaults[m].level === 'privileged') || sameLevelVersion(p[m], defaults[m]));
    if (fullyPrivileged(p) || equivalent) return undefined;
    const parts: string[] = [];
    for (const m of ['enforce', 'audit', 'warn'] as const) {
      const set = labels?.[labelPrefix + m] !== undefined || labels?.[`${labelPrefix}${m}-version`] !== undefined;
      if (p[m].level !== 'privileged' && set) parts.push(`${m}=${display(p[m])}`);
    }
    return `namespace "${ns}" is exempt from Pod Security, and the policy (${parts.join(', ')}) will be ignored`;
  }

  async function namespaceChange(a: AdmissionAttributes): Promise<void> {
    if (a.info.subresource) return;
    const labels = a.object?.metadata?.labels;
    const ns: string = a.object?.metadata?.name ?? a.info.name;
    const errs = validateLabels(labels);
    const next = policyToEvaluate(labels, defaults);
    if (a.operation === 'CREATE') {
      if (errs.length) throw invalid('', 'Namespace', ns, errs);
      if (exempt.namespaces.includes(ns)) {
        const w = exemptNamespaceWarning(ns, next, labels);
        if (w) a.ctx.warnings.push(w);
      }
      return;
    }
    const old = await oldObjectOf(resources, a);
    const oldErrs = validateLabels(old?.metadata?.labels);
    if (errs.length && (!oldErrs.length || JSON.stringify(errs) !== JSON.stringify(oldErrs))) throw invalid('', 'Namespace', ns, errs);
    const prev = policyToEvaluate(old?.metadata?.labels, defaults);
    if (sameLevelVersion(next.enforce, prev.enforce) || next.enforce.level === 'privileged') return;
    if (next.enforce.version === prev.enforce.version && compareLevels(next.enforce.level, prev.enforce.level) < 1) return;
    if (exempt.namespaces.includes(ns)) {
      const w = exemptNamespaceWarning(ns, next, labels);
      if (w) a.ctx.warnings.push(w);
      return;
    }
    a.ctx.warnings.push(...(await existingPodWarnings(ns, next.enforce)));
  }

  /** kube's EvaluatePodsInNamespace: one warning per distinct set of reasons, pods of one controller checked last. */
  async function existingPodWarnings(ns: string, enforce: LevelVersion): Promise<string[]> {
    const pods = (await listObjects(resources, ['', 'v1', 'pods'], ns)).filter((p) => !exempt.runtimeClasses.includes(p.spec?.runtimeClassName ?? ''));
    const first: KObject[] = [];
    const rest: KObject[] = [];
    const controllers = new Set<string>();
    for (const p of pods) {
      const uid = (p.metadata?.ownerReferences ?? []).find((r: KObject) => r.controller)?.uid;
      if (uid && controllers.has(uid)) rest.push(p);
      else {
        if (uid) controllers.add(uid);
        first.push(p);
      }
    }
    const candidates = [...first, ...rest].slice(0, maxPodsToCheck);
    const byReason = new Map<string, { name: string; count: number }>();
    const deadline = performance.now() + podCheckTimeoutMs;
    let n = 0;
    for (const p of candidates) {
      if (n > 0 && performance.now() > deadline) break;
      n++;
      const vs = evaluatePod(enforce.level, p.metadata ?? {}, p.spec ?? {}, enforce.version);
      if (!vs.length) continue;
      const reason = vs.map((v) => v.reason).join(', ');
      const c = byReason.get(reason);
      if (!c) byReason.set(reason, { name: p.metadata?.name, count: 1 });
      else {
        c.count++;
        if (p.metadata?.name < c.name) c.name = p.metadata?.name;
      }
    }
    const out: string[] = [];
    if (n < pods.length) out.push(`new PodSecurity enforce level only checked against the first ${n} of ${pods.length} existing pods`);
    if (byReason.size) out.push(`existing pods in namespace "${ns}" violate the new PodSecurity enforce level "${display(enforce)}"`);
    const decorated = [...byReason].map(([reason, c]) => `${c.name}${c.count === 2 ? ' (and 1 other pod)' : c.count > 2 ? ` (and ${c.count - 1} other pods)` : ''}: ${reason}`);
    return [...out, ...decorated.sort()];
  }

  /** kube's EvaluatePod: enforce (pods only), then audit, then warn (unless already refused). */
  function evaluate(a: AdmissionAttributes, p: Policy, meta: KObject, spec: KObject, enforce: boolean): void {
    if (spec.runtimeClassName && exempt.runtimeClasses.includes(spec.runtimeClassName)) {
      addAuditAnnotation(a.ctx, exemptKey, 'runtimeClass');
      return;
    }
    const cache = new Map<string, Violation[]>();
    const check = (lv: LevelVersion) => {
      const key = display(lv);
      if (!cache.has(key)) cache.set(key, evaluatePod(lv.level, meta, spec, lv.version));
      return cache.get(key)!;
    };
    let refused: Error | undefined;
    if (enforce) {
      addAuditAnnotation(a.ctx, `${labelPrefix}enforce-policy`, display(p.enforce));
      const vs = check(p.enforce);
      if (vs.length) refused = admissionForbidden(a, `violates PodSecurity "${display(p.enforce)}": ${formatViolations(vs)}`);
    }
    const audit = check(p.audit);
    if (audit.length) addAuditAnnotation(a.ctx, `${labelPrefix}audit-violations`, `would violate PodSecurity "${display(p.audit)}": ${formatViolations(audit)}`);
    if (refused) throw refused;
    const warn = check(p.warn);
    if (warn.length) a.ctx.warnings.push(`would violate PodSecurity "${display(p.warn)}": ${formatViolations(warn)}`);
  }

  return {
    name: 'PodSecurity',
    async validate(a) {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      if (!a.object) return;
      if (isResource(a, '', 'namespaces')) return namespaceChange(a);
      const isPod = a.info.group === '' && a.info.resource === 'pods';
      const template = templates[`${a.info.group}/${a.info.resource}`];
      if (!a.info.namespace || (!isPod && !template)) return;
      if (a.info.subresource && (!isPod || ignoredPodSubresources.has(a.info.subresource))) return;
      if (exempt.namespaces.includes(a.info.namespace)) return addAuditAnnotation(a.ctx, exemptKey, 'namespace');
      if (a.ctx.user?.name && exempt.usernames.includes(a.ctx.user.name)) return addAuditAnnotation(a.ctx, exemptKey, 'user');
      const p = policyToEvaluate(await nsLabels(a.info.namespace), defaults);
      if (isPod) {
        if (fullyPrivileged(p)) return addAuditAnnotation(a.ctx, `${labelPrefix}enforce-policy`, 'privileged:latest');
        if (a.operation === 'UPDATE' && !significantUpdate(a.object, await oldObjectOf(resources, a))) return;
        return evaluate(a, p, a.object.metadata ?? {}, a.object.spec ?? {}, true);
      }
      if (p.warn.level === 'privileged' && p.audit.level === 'privileged') return;
      const t = template!(a.object);
      if (!t) return;
      evaluate(a, p, t.metadata ?? {}, t.spec ?? {}, false);
    },
  };
}
