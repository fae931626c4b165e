// RuntimeClass admission (kube's plugin of that name, on by default). On pod create, a pod that
// names spec.runtimeClassName gets what the class says about it:
// - a class that does not exist: the pod is Forbidden (`pod rejected: RuntimeClass "x" not found`);
// - overhead.podFixed becomes spec.overhead (a pod that already sets a different overhead is
//   refused; in validation, a pod with an overhead its class does not define is refused too);
// - scheduling.nodeSelector is merged into spec.nodeSelector (a key the pod sets to another value
//   is a conflict) and scheduling.tolerations into spec.tolerations (kube's MergeTolerations).
// Updates are not looked at (the fields are immutable on pods).
import type { AdmissionAttributes, AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { compareQuantities, tryParseQuantity } from '../../api/quantity.js';
import { admissionForbidden, getObject, isResource } from './lookup.js';
import { mergeTolerations } from './merge-tolerations.js';

const rcGvr: [string, string, string] = ['node.k8s.io', 'v1', 'runtimeclasses'];

/** Semantic equality of two resource lists (quantities compared by value: 1000m equals 1). */
function sameResourceList(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!(k in (b ?? {}))) return false;
    const qa = tryParseQuantity(a![k]);
    const qb = tryParseQuantity(b![k]);
    if (!qa || !qb ? a![k] !== b![k] : compareQuantities(qa, qb) !== 0) return false;
  }
  return true;
}

const applies = (a: AdmissionAttributes) => a.operation === 'CREATE' && isResource(a, '', 'pods') && !!a.object;

/** The pod's class, undefined without runtimeClassName; Forbidden when it does not exist. */
async function classOf(resources: Resources, a: AdmissionAttributes): Promise<KObject | undefined> {
  const name = a.object?.spec?.runtimeClassName;
  if (name == null || name === '') return undefined;
  const rc = await getObject(resources, rcGvr, '', name);
  if (!rc) throw admissionForbidden(a, `pod rejected: RuntimeClass ${JSON.stringify(name)} not found`);
  return rc;
}

const overheadMismatch = "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead";

export function runtimeClass(resources: Resources): AdmissionPlugin {
  return {
    name: 'RuntimeClass',
    async admit(a) {
      if (!applies(a)) return;
      const rc = await classOf(resources, a);
      if (!rc) return;
      const spec = (a.object!.spec ??= {});
      const fixed = rc.overhead?.podFixed;
      if (rc.overhead) {
        if (spec.overhead && Object.keys(spec.overhead).length > 0 && !sameResourceList(fixed, spec.overhead)) throw admissionForbidden(a, overheadMismatch);
        if (fixed === undefined) delete spec.overhead;
        else spec.overhead = structuredClone(fixed);
      }
      const sched = rc.scheduling;
      if (!sched) return;
      if (sched.nodeSelector) {
        if (!spec.nodeSelector) spec.nodeSelector = { ...sched.nodeSelector };
        else {
          for (const [k, v] of Object.entries(sched.nodeSelector as Record<string, string>)) {
            const podValue = spec.nodeSelector[k];
            if (podValue !== undefined && podValue !== v)
              throw admissionForbidden(a, `conflict: runtimeClass.scheduling.nodeSelector[${k}] = ${v}; pod.spec.nodeSelector[${k}] = ${podValue}`);
            spec.nodeSelector[k] = v;
          }
        }
      }
      const merged = mergeTolerations(spec.tolerations ?? [], structuredClone(sched.tolerations ?? []));
      if (merged.length) spec.tolerations = merged;
    },
    async validate(a) {
      if (!applies(a)) return;
      const rc = await classOf(resources, a);
      const spec = a.object!.spec ?? {};
      if (rc?.overhead) {
        if (!sameResourceList(rc.overhead.podFixed, spec.overhead)) throw admissionForbidden(a, overheadMismatch);
      } else if (spec.overhead != null) {
        throw admissionForbidden(a, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
      }
    },
  };
}
