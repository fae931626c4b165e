// The controller manager: one process running many controllers over shared informers, behind
// leader election on the kube-system/kube-controller-manager Lease (as kube-controller-manager).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { EventRecorder } from '../client/event-recorder.js';
import { SharedInformerFactory } from '../client/informer.js';
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
      const controllers = this.names.map((n) => controllerFactories[n](ctx));
      informers.start(leading);
      await informers.waitForSync();
      this.log.info({ controllers: this.names }, 'controllers started');
      this.readyResolve();
      await Promise.all(controllers.map((c) => c.run(leading)));
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
