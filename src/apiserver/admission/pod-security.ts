// PodSecurity admission (kube's plugin of that name): a namespace's
// pod-security.kubernetes.io/{enforce,warn,audit}[-version] labels choose a Pod Security
// Standards level (privileged, baseline, restricted; none = privileged). Pods created there that
// violate the enforce level are Forbidden (`violates PodSecurity "restricted:latest": ...`);
// violations of the warn level come back as Warning headers (`would violate PodSecurity ...`);
// workload templates (deployments, jobs, ...) are checked against enforce and warn as warnings
// only. A namespace's labels must name a valid level and version; tightening its enforce level
// warns about the pods already there. No exemptions by default, as kube.
// Pod updates are evaluated when they can change the verdict (images, containers, AppArmor
// annotations, ephemeral containers), as kube.
// Divergence: audit-level violations are not recorded (no audit annotations yet).
import type { AdmissionAttributes, AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { invalid as fieldInvalid, type FieldErrorList } from '../../api/field-errors.js';
import { invalid } from '../status.js';
import { admissionForbidden, getObject, isResource, listObjects, oldObjectOf } from './lookup.js';
import { evaluatePod, formatViolations, type Level } from './pod-security-checks.js';

const prefix = 'pod-security.kubernetes.io/';
const levels = ['privileged', 'baseline', 'restricted'];

export interface LevelVersion {
  level: Level;
  version: string;
}

const display = (lv: LevelVersion) => `${lv.level}:${lv.version}`;

/** The policy one mode (enforce, warn, audit) of a namespace's labels sets. */
export function policyOf(labels: Record<string, string> | undefined, mode: 'enforce' | 'warn' | 'audit'): LevelVersion {
  const level = labels?.[prefix + mode];
  const version = labels?.[`${prefix}${mode}-version`];
  return { level: levels.includes(level ?? '') ? (level as Level) : 'privileged', version: version && /^(latest|v1\.(0|[1-9]\d*))$/.test(version) ? version : 'latest' };
}

/** Label errors as kube's namespace validation words them. */
export function validateLabels(labels: Record<string, string> | undefined): FieldErrorList {
  const errs: FieldErrorList = [];
  for (const mode of ['enforce', 'warn', 'audit']) {
    const l = labels?.[prefix + mode];
    if (l !== undefined && !levels.includes(l)) errs.push(fieldInvalid(`metadata.labels[${prefix}${mode}]`, l, `must be one of ${levels.join(', ')}`));
    const v = labels?.[`${prefix}${mode}-version`];
    if (v !== undefined && !/^(latest|v1\.(0|[1-9]\d*))$/.test(v)) errs.push(fieldInvalid(`metadata.labels[${prefix}${mode}-version]`, v, 'must be "latest" or "v1.x"'));
  }
  return errs;
}

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

/**
 * Whether a pod update is evaluated (kube's isSignificantPodUpdate): only images, the number of
 * containers, the AppArmor annotations and ephemeral containers can change the verdict.
 */
export function significantUpdate(pod: KObject, old: KObject | undefined): boolean {
  if (!old) return true;
  const images = (p: KObject, k: string) => (p.spec?.[k] ?? []).map((c: KObject) => c.image).join('\n');
  for (const k of ['containers', 'initContainers']) {
    if ((pod.spec?.[k] ?? []).length !== (old.spec?.[k] ?? []).length || images(pod, k) !== images(old, k)) return true;
  }
  const apparmor = (p: KObject) => JSON.stringify(Object.entries(p.metadata?.annotations ?? {}).filter(([k]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/')));
  if (apparmor(pod) !== apparmor(old)) return true;
  return JSON.stringify(pod.spec?.ephemeralContainers ?? []) !== JSON.stringify(old.spec?.ephemeralContainers ?? []);
}

export function podSecurity(resources: Resources): AdmissionPlugin {
  const nsLabels = async (ns: string) => (await getObject(resources, ['', 'v1', 'namespaces'], '', ns))?.metadata?.labels as Record<string, string> | undefined;

  async function namespaceChange(a: AdmissionAttributes): Promise<void> {
    const labels = a.object?.metadata?.labels;
    const errs = validateLabels(labels);
    if (errs.length) throw invalid('', 'Namespace', a.object?.metadata?.name ?? a.info.name, errs);
    if (a.operation !== 'UPDATE') return;
    const old = await oldObjectOf(resources, a);
    const next = policyOf(labels, 'enforce');
    if (next.level === 'privileged' || JSON.stringify(policyOf(old?.metadata?.labels, 'enforce')) === JSON.stringify(next)) return;
    const ns = a.object?.metadata?.name ?? a.info.name;
    // Group pods by their violations (kube: "pod (and N other pods): reasons").
    const groups = new Map<string, string[]>();
    for (const p of await listObjects(resources, ['', 'v1', 'pods'], ns)) {
      const vs = evaluatePod(next.level, p.metadata ?? {}, p.spec ?? {});
      if (!vs.length) continue;
      const key = vs.map((v) => v.reason).join(', ');
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(p.metadata?.name);
    }
    if (!groups.size) return;
    a.ctx.warnings.push(`existing pods in namespace "${ns}" violate the new PodSecurity enforce level "${display(next)}"`);
    for (const [reasons, pods] of groups) {
      const others = pods.length - 1;
      a.ctx.warnings.push(`${pods[0]}${others ? ` (and ${others} other ${others === 1 ? 'pod' : 'pods'})` : ''}: ${reasons}`);
    }
  }

  return {
    name: 'PodSecurity',
    async validate(a) {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      if (!a.object) return;
      if (isResource(a, '', 'namespaces')) return namespaceChange(a);
      const isPod = a.info.group === '' && a.info.resource === 'pods';
      if (!a.info.namespace || (a.info.subresource && !(isPod && a.info.subresource === 'ephemeralcontainers'))) return;
      const template = templates[`${a.info.group}/${a.info.resource}`];
      if (!isPod && !template) return;
      if (isPod && a.operation === 'UPDATE' && !significantUpdate(a.object, await oldObjectOf(resources, a))) return;
      const labels = await nsLabels(a.info.namespace);
      const enforce = policyOf(labels, 'enforce');
      const warn = policyOf(labels, 'warn');
      if (enforce.level === 'privileged' && warn.level === 'privileged') return;
      if (isPod) {
        const vs = evaluatePod(enforce.level, a.object.metadata ?? {}, a.object.spec ?? {});
        if (vs.length) throw admissionForbidden(a, `violates PodSecurity "${display(enforce)}": ${formatViolations(vs)}`);
        const ws = evaluatePod(warn.level, a.object.metadata ?? {}, a.object.spec ?? {});
        if (ws.length) a.ctx.warnings.push(`would violate PodSecurity "${display(warn)}": ${formatViolations(ws)}`);
        return;
      }
      const t = template!(a.object);
      if (!t) return;
      const seen = new Set<string>();
      for (const lv of [enforce, warn]) {
        if (lv.level === 'privileged' || seen.has(display(lv))) continue;
        seen.add(display(lv));
        const vs = evaluatePod(lv.level, t.metadata ?? {}, t.spec ?? {});
        if (vs.length) a.ctx.warnings.push(`would violate PodSecurity "${display(lv)}": ${formatViolations(vs)}`);
      }
    },
  };
}
