// Pod admission on the node (the kubelet's predicate admit handler): before a new pod runs, the
// node checks what the scheduler would have checked, because a pod bound by hand (spec.nodeName)
// never met the scheduler. In kube's order, the first failure decides:
//   resources   pod count, cpu, memory, ephemeral-storage and extended resources against the
//               node's allocatable minus the requests of the pods it already admitted
//               (reason OutOfpods / OutOfcpu / OutOfmemory / OutOf<resource>)
//   NodeAffinity  nodeSelector and required node affinity against the node's labels
//   NodePorts     host ports already taken by an admitted pod
// A rejected pod is not run: its status becomes phase Failed with the reason and
// "Pod was rejected: <message>", and a Warning event of that reason is recorded.
// Divergence: untolerated NoExecute taints are not checked here (the taint manager of the
// controller manager evicts such pods).
import { addResource, emptyResource, isScalarResource, podRequests, resourceFromList, type Resource } from '../scheduler/framework/resources.js';
import { podHostPorts } from '../scheduler/framework/node-info.js';
import { nodeMatchesPod, reason as nodeAffinityReason } from '../scheduler/plugins/node-affinity/index.js';
import type { KObject } from '../client/rest-client.js';

export type AdmitResult = { admit: true } | { admit: false; reason: string; message: string };

const ADMIT: AdmitResult = { admit: true };

function insufficient(resource: string, requested: number, used: number, capacity: number): AdmitResult {
  const reason = { cpu: 'OutOfcpu', memory: 'OutOfmemory', 'ephemeral-storage': 'OutOfephemeral-storage', pods: 'OutOfpods' }[resource] ?? `OutOf${resource}`;
  return { admit: false, reason, message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}` };
}

/** The resource check alone (kube's noderesources.Fits), first shortfall. */
function fits(pod: KObject, allocatable: Resource, others: KObject[]): AdmitResult {
  if (others.length + 1 > allocatable.allowedPodNumber) return insufficient('pods', 1, others.length, allocatable.allowedPodNumber);
  const used = emptyResource();
  for (const p of others) addResource(used, podRequests(p));
  const want = podRequests(pod);
  const checks: Array<[string, number, number, number]> = [
    ['cpu', want.milliCPU, used.milliCPU, allocatable.milliCPU],
    ['memory', want.memory, used.memory, allocatable.memory],
    ['ephemeral-storage', want.ephemeralStorage, used.ephemeralStorage, allocatable.ephemeralStorage],
  ];
  // Extended resources the node does not know at all are left to the cluster (kube drops them).
  for (const [name, v] of Object.entries(want.scalar)) if (isScalarResource(name) && name in allocatable.scalar) checks.push([name, v, used.scalar[name] ?? 0, allocatable.scalar[name]]);
  for (const [name, requested, u, cap] of checks) if (requested > 0 && requested > cap - u) return insufficient(name, requested, u, cap);
  return ADMIT;
}

function portsFree(pod: KObject, others: KObject[]): boolean {
  const mine = podHostPorts(pod);
  if (!mine.length) return true;
  for (const o of others)
    for (const a of podHostPorts(o))
      for (const b of mine) if (a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0')) return false;
  return true;
}

/**
 * Whether the node admits `pod`, given its allocatable, its Node object (labels) and the pods it
 * already admitted and that have not finished.
 */
export function admitPod(pod: KObject, allocatable: Record<string, string>, node: KObject, others: KObject[]): AdmitResult {
  const fit = fits(pod, resourceFromList(allocatable), others);
  if (!fit.admit) return fit;
  if (!nodeMatchesPod(pod, node)) return { admit: false, reason: 'NodeAffinity', message: `Predicate NodeAffinity failed: ${nodeAffinityReason}` };
  if (!portsFree(pod, others)) return { admit: false, reason: 'NodePorts', message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports" };
  return ADMIT;
}

/** The status a rejected pod is given (kubelet's rejectPod). */
export function rejectedStatus(pod: KObject, r: { reason: string; message: string }): KObject {
  return { ...pod.status, phase: 'Failed', reason: r.reason, message: `Pod was rejected: ${r.message}` };
}
