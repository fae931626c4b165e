// The controller manager: one process running many controllers over shared informers, behind
// leader election on the kube-system/kube-controller-manager Lease (as kube-controller-manager).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { EventRecorder } from '../client/event-recorder.js';
import { SharedInformerFactory, type Informer } from '../client/informer.js';
import { LeaderElector } from '../client/leader-election.js';
import type { RestClient } from '../client/rest-client.js';
import { logger } from '../util/log.js';
import type { ControllerContext } from './controller.js';
import { controllerFactories, enabledControllers } from './registry.js';

export interface ControllerManagerOptions {
  client: RestClient;
  controllers?: string[];
  leaderElect?: boolean;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  options?: ControllerContext['options'];
  now?: () => number;
}

export class ControllerManager {
  private readonly log = logger('controller-manager');
  private readyResolve!: () => void;
  readonly ready: Promise<void> = new Promise((r) => (this.readyResolve = r));
  readonly names: string[];

  constructor(private readonly opts: ControllerManagerOptions) {
    this.names = enabledControllers(opts.controllers ?? ['*']);
  }

  async start(signal: AbortSignal): Promise<void> {
    const lead = async (leading: AbortSignal) => {
      const informers = new SharedInformerFactory(this.opts.client);
      const recorders = new Map<string, EventRecorder>();
      const ctx: ControllerContext = {
        client: this.opts.client,
        informers,
        recorder: (component) => {
          let r = recorders.get(component);
          if (!r) recorders.set(component, (r = new EventRecorder(this.opts.client, { component })));
          return r;
        },
        options: this.opts.options ?? {},
        now: this.opts.now ?? Date.now,
      };
      // Each controller runs once its own informers are synced, as kube-controller-manager's
      // controllers each wait for their caches: the service-account controller (the default
      // ServiceAccount of a new cluster) need not wait for the pods or jobs lists.
      const stopped = new Promise<void>((r) => leading.addEventListener('abort', () => r(), { once: true }));
      // The service-account controller's informers are made, hence listed, first: a namespace
      // takes no pods until its default ServiceAccount exists (ServiceAccount admission).
      const order = [...this.names].sort((a, b) => Number(b === 'serviceaccount') - Number(a === 'serviceaccount'));
      const runs = order.map((n) => {
        const used: Array<Pick<Informer, 'synced'>> = [];
        const c = controllerFactories[n]({ ...ctx, informers: recordingFactory(informers, used) });
        return async () => {
          await Promise.race([Promise.all(used.map((i) => i.synced)), stopped]);
          if (!leading.aborted) await c.run(leading);
        };
      });
      informers.start(leading);
      const running = Promise.all(runs.map((run) => run()));
      await Promise.race([informers.waitForSync(), stopped]);
      if (!leading.aborted) {
        this.log.info({ controllers: this.names }, 'controllers started');
        this.readyResolve();
      }
      await running;
    };
    if (this.opts.leaderElect === false) return lead(signal);
    const elector = new LeaderElector(this.opts.client, {
      name: 'kube-controller-manager',
      identity: `${hostname()}_${randomUUID()}`,
      leaseDurationMs: this.opts.leaseDurationMs,
      renewDeadlineMs: this.opts.renewDeadlineMs,
      retryPeriodMs: this.opts.retryPeriodMs,
      onStartedLeading: (leading) => void lead(leading),
    });
    await elector.run(signal);
  }
}

/** The shared factory as one controller sees it: informerFor() also notes the informers it uses. */
function recordingFactory(f: SharedInformerFactory, used: Array<Pick<Informer, 'synced'>>): SharedInformerFactory {
  const r = Object.create(f) as SharedInformerFactory;
  r.informerFor = ((ref, opts) => {
    const i = f.informerFor(ref, opts);
    used.push(i);
    return i;
  }) as SharedInformerFactory['informerFor'];
  return r;
}
