// The node IPAM controller (with --allocate-node-cidrs): gives every node a spec.podCIDR(s) of
// --node-cidr-mask-size (24) bits from --cluster-cidr (10.244.0.0/16), remembering which are taken
// from the nodes themselves, so a restart allocates no duplicates; freed when the node goes.
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';
import { parseCidr, subnet, subnetIndex } from './cidr.js';

export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  private readonly runner: QueueRunner;
  private readonly nodes: Informer;
  private readonly cluster: { base: number; bits: number };
  private readonly maskSize: number;
  private readonly used = new Set<number>();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.cluster = parseCidr(String(ctx.options.clusterCidr ?? '10.244.0.0/16'));
    this.maskSize = Number(ctx.options.nodeCidrMaskSize ?? 24);
    this.runner = new QueueRunner('node-ipam-controller', 1, (k) => this.sync(k));
    this.nodes = ctx.informers.informerFor(Resources.nodes);
    this.recorder = ctx.recorder('cidrAllocator');
    this.nodes.addEventHandler({
      onAdd: (n) => this.track(n, true),
      onUpdate: (_o, n) => this.track(n, true),
      onDelete: (n) => this.track(n, false),
    });
  }

  private track(n: K, present: boolean): void {
    const i = n.spec?.podCIDR ? subnetIndex(this.cluster, this.maskSize, n.spec.podCIDR) : -1;
    if (i >= 0) {
      if (present) this.used.add(i);
      else this.used.delete(i);
    }
    if (present && !n.spec?.podCIDR) this.runner.enqueue(n.metadata.name);
  }

  async run(signal: AbortSignal): Promise<void> {
    // Allocation starts once every existing node's CIDR is known.
    await this.nodes.synced;
    for (const n of this.nodes.list()) this.track(n as K, true);
    return this.runner.run(signal);
  }

  async sync(name: string): Promise<void> {
    const node = this.nodes.get(name) as K | undefined;
    if (!node || node.spec?.podCIDR) return;
    let i = 0;
    while (this.used.has(i)) i++;
    const cidr = subnet(this.cluster, this.maskSize, i);
    if (!cidr) {
      this.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      return;
    }
    this.used.add(i);
    try {
      await this.ctx.client.patch(resourcePath(Resources.nodes, undefined, name), { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge');
    } catch (e) {
      this.used.delete(i);
      if (isConflict(e)) throw e;
      if (!isNotFound(e)) throw e;
    }
  }
}

export const newNodeIpamController = (ctx: ControllerContext): Controller => new NodeIpamController(ctx);
