// Pods nominated to a node by preemption (status.nominatedNodeName) and not yet bound there
// (kube's nominator, part of its PriorityQueue). While a nominated pod waits for its victims to
// go, other pods of equal or lower priority must leave room for it on that node: the filters run
// once with the nominated pods added (framework runFilterWithNominatedPods).
import { newPodInfo, podKey, type PodInfo } from '../framework/node-info.js';

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  constructor(private readonly priorityOf: (pod: any) => number = (p) => p.spec?.priority ?? 0) {}

  /** Record (or move, or with '' drop) the nomination of a pending pod. */
  set(pod: any, nodeName: string | undefined): void {
    const key = podKey(pod);
    this.delete(key);
    if (!nodeName) return;
    let pods = this.byNode.get(nodeName);
    if (!pods) this.byNode.set(nodeName, (pods = new Map()));
    pods.set(key, newPodInfo(pod));
    this.nodeOf.set(key, nodeName);
  }

  delete(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const pods = this.byNode.get(node);
    pods?.delete(key);
    if (pods && pods.size === 0) this.byNode.delete(node);
  }

  nominatedNode(key: string): string | undefined {
    return this.nodeOf.get(key);
  }

  /** All pods nominated to the node. */
  podsOn(nodeName: string): PodInfo[] {
    const pods = this.byNode.get(nodeName);
    return pods ? [...pods.values()] : [];
  }

  /** The pods nominated to the node that `pod` must leave room for: other pods of equal or higher priority. */
  podsFor(nodeName: string, pod: any): PodInfo[] | undefined {
    const pods = this.byNode.get(nodeName);
    if (!pods) return undefined;
    const key = podKey(pod);
    const prio = this.priorityOf(pod);
    let out: PodInfo[] | undefined;
    for (const pi of pods.values()) if (pi.key !== key && this.priorityOf(pi.pod) >= prio) (out ??= []).push(pi);
    return out;
  }

  get size(): number {
    return this.nodeOf.size;
  }
}
