// The scheduler's cache: every node with the pods bound to it, plus "assumed" pods — chosen for
// a node by the last cycle but not yet seen bound through the watch — so the next cycle already
// sees their reservation. An assumed pod is confirmed when the informer reports it bound, and
// forgotten if its binding fails or is not confirmed in time.
import { NodeInfo, newPodInfo, podKey, type AffinityTotals } from './framework/node-info.js';

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Map<string, number>(); // key -> deadline (ms), 0 = binding in flight
  private list: NodeInfo[] | undefined;
  /** How many nodes hold each image (normalised name), for ImageLocality's spread. */
  private readonly imageNodes = new Map<string, number>();
  /** Pods with (anti-)affinity over all nodes (InterPodAffinity skips its scans when zero). */
  readonly affinityTotals: AffinityTotals = { podsWithAffinity: 0, podsWithRequiredAntiAffinity: 0 };

  constructor(private readonly assumeTtlMs = 30_000) {}

  nodeInfos(): NodeInfo[] {
    // Nodes with no Node object (pods seen before their node) are not candidates.
    if (!this.list) this.list = [...this.nodes.values()].filter((n) => n.node);
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  get nodeCount(): number {
    return this.nodeInfos().length;
  }

  setNode(node: any): void {
    const name = node.metadata?.name;
    let n = this.nodes.get(name);
    if (n) {
      this.countImages(n, -1);
      n.setNode(node);
    } else this.nodes.set(name, (n = new NodeInfo(node, this.affinityTotals)));
    this.countImages(n, 1);
    this.list = undefined;
  }

  private countImages(n: NodeInfo, by: number): void {
    if (!n.node) return;
    for (const img of n.imageSizes.keys()) {
      const c = (this.imageNodes.get(img) ?? 0) + by;
      if (c > 0) this.imageNodes.set(img, c);
      else this.imageNodes.delete(img);
    }
  }

  /** Number of nodes (with a Node object) that hold the image. */
  imageNodeCount(image: string): number {
    return this.imageNodes.get(image) ?? 0;
  }

  removeNode(name: string): void {
    const n = this.nodes.get(name);
    if (!n) return;
    this.countImages(n, -1);
    if (n.pods.size === 0) this.nodes.delete(name);
    else n.node = undefined; // keep pods until they go
    this.list = undefined;
  }

  private nodeFor(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (!n) {
      n = new NodeInfo(undefined, this.affinityTotals);
      this.nodes.set(name, n);
    }
    return n;
  }

  /** A pod bound to a node (from the informer). Confirms an assumed pod. */
  addPod(pod: any): void {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    const prev = this.podNode.get(key);
    if (prev && prev !== nodeName) this.nodes.get(prev)?.removePod(key);
    this.assumed.delete(key);
    this.podNode.set(key, nodeName);
    this.nodeFor(nodeName).addPod(newPodInfo(pod));
  }

  removePod(pod: any): void {
    const key = podKey(pod);
    const nodeName = this.podNode.get(key);
    if (nodeName === undefined) return;
    this.podNode.delete(key);
    this.assumed.delete(key);
    const n = this.nodes.get(nodeName);
    n?.removePod(key);
    if (n && !n.node && n.pods.size === 0) this.nodes.delete(nodeName);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  /** Account the pod on `nodeName` before it is bound. */
  assume(pod: any, nodeName: string): void {
    const p = { ...pod, spec: { ...pod.spec, nodeName } };
    this.addPod(p);
    this.assumed.set(podKey(pod), 0);
  }

  /** Binding finished: start the confirmation deadline. */
  finishBinding(pod: any): void {
    const key = podKey(pod);
    if (this.assumed.has(key)) this.assumed.set(key, Date.now() + this.assumeTtlMs);
  }

  /** Binding failed: undo the assumption. */
  forget(pod: any): void {
    const key = podKey(pod);
    if (!this.assumed.has(key)) return;
    this.removePod(pod);
  }

  /** Drop assumed pods whose binding was never confirmed (returns their keys). */
  expireAssumed(now = Date.now()): string[] {
    const out: string[] = [];
    for (const [key, deadline] of this.assumed)
      if (deadline && deadline < now) {
        const nodeName = this.podNode.get(key);
        this.assumed.delete(key);
        this.podNode.delete(key);
        if (nodeName) this.nodes.get(nodeName)?.removePod(key);
        out.push(key);
      }
    return out;
  }

  isScheduled(key: string): boolean {
    return this.podNode.has(key);
  }
}
