// Priority admission (kube's plugin of that name). On pod create, spec.priorityClassName resolves
// to spec.priority and spec.preemptionPolicy from the PriorityClass (a pod without a class gets
// the globalDefault class, lowest value if several, or priority 0 / PreemptLowerPriority); a
// missing class is Forbidden, and a priority or policy in the spec that differs from the class is
// refused with kube's messages. On pod update, the priority set at create is kept. PriorityClasses
// themselves: only one may be globalDefault.
import type { AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { admissionForbidden, getObject, isResource, listObjects, oldObjectOf } from './lookup.js';

const pcGvr: [string, string, string] = ['scheduling.k8s.io', 'v1', 'priorityclasses'];

/** The global default class (lowest value when several claim it), as kube's getDefaultPriority. */
export function defaultClass(classes: KObject[]): KObject | undefined {
  let best: KObject | undefined;
  for (const c of classes) if (c.globalDefault && (!best || c.value < best.value)) best = c;
  return best;
}

export function priority(resources: Resources): AdmissionPlugin {
  return {
    name: 'Priority',
    async admit(a) {
      if (!isResource(a, '', 'pods') || !a.object) return;
      const spec = (a.object.spec ??= {});
      if (a.operation === 'UPDATE') {
        const old = await oldObjectOf(resources, a);
        if (spec.priority === undefined && old?.spec?.priority !== undefined) spec.priority = old.spec.priority;
        if (spec.preemptionPolicy === undefined && old?.spec?.preemptionPolicy !== undefined) spec.preemptionPolicy = old.spec.preemptionPolicy;
        return;
      }
      if (a.operation !== 'CREATE') return;
      let value = 0;
      let policy = 'PreemptLowerPriority';
      if (spec.priorityClassName) {
        const pc = await getObject(resources, pcGvr, '', spec.priorityClassName);
        if (!pc) throw admissionForbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
        value = pc.value ?? 0;
        policy = pc.preemptionPolicy ?? policy;
      } else {
        const pc = defaultClass(await listObjects(resources, pcGvr, ''));
        if (pc) {
          spec.priorityClassName = pc.metadata?.name;
          value = pc.value ?? 0;
          policy = pc.preemptionPolicy ?? policy;
        }
      }
      if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value)
        throw admissionForbidden(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
      if (spec.preemptionPolicy && spec.preemptionPolicy !== policy)
        throw admissionForbidden(a, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
      spec.priority = value;
      spec.preemptionPolicy = policy;
    },
    async validate(a) {
      if (!isResource(a, 'scheduling.k8s.io', 'priorityclasses') || !a.object?.globalDefault) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const name = a.object.metadata?.name;
      for (const pc of await listObjects(resources, pcGvr, ''))
        if (pc.globalDefault && pc.metadata?.name !== name) throw admissionForbidden(a, `PriorityClass ${pc.metadata?.name} is already marked as default. Only one default can exist`);
    },
  };
}
