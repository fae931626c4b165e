// Container state changes from a CRI runtime (the kubelet's PLEG, generic relisting): every
// period, ListContainers, compare each container's state with the last list, and report those
// that changed (a container that exited on its own) so the kubelet re-syncs the pod; a container
// first seen already exited is reported too (it started and died between two relists, as PLEG
// reports ContainerDied for it), except on the first list (a kubelet start syncs every pod anyway). CRI's
// GetContainerEvents stream is newer than containerd 1.6, so polling it is.
import type { Logger } from '../../../util/log.js';
import type { CriClient } from './client.js';

export class Relister {
  private readonly states = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private listed = false;

  constructor(
    private readonly client: CriClient,
    private readonly periodMs: number,
    private readonly emit: (sandboxId: string, containerId: string) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      await this.relist().catch((e: Error) => this.log.debug({ err: e.message }, 'CRI relist failed'));
      if (!this.stopped) this.timer = setTimeout(loop, this.periodMs).unref();
    };
    this.timer = setTimeout(loop, this.periodMs).unref();
  }

  /** One relist: emits for containers whose state changed since the previous one. */
  async relist(): Promise<void> {
    const { containers } = await this.client.runtime('ListContainers', {}, 10_000);
    const seen = new Set<string>();
    for (const c of containers) {
      seen.add(c.id);
      const prev = this.states.get(c.id);
      this.states.set(c.id, c.state);
      if (prev === undefined ? this.listed && c.state === 'CONTAINER_EXITED' : prev !== c.state) this.emit(c.pod_sandbox_id, c.id);
    }
    this.listed = true;
    for (const id of this.states.keys()) if (!seen.has(id)) this.states.delete(id);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
