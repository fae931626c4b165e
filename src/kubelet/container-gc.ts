// Container garbage collection, the part of the kubelet's container GC (kuberuntime_gc.go) that
// the pod workers do not do themselves: sandboxes (with their containers) of pods this node no
// longer has, e.g. pods deleted while the kubelet was down (cri containers outlive the kubelet),
// and those pods' log directories (<root-dir>/pods/<ns>_<name>_<uid>). It runs every minute
// (kubelet's ContainerGCPeriod) once the pod sources are ready (the kubelet starts it after its
// pod informer synced); a failed round is the ContainerGCFailed event on the Node.
//
// Dead containers of pods that still exist are the pod worker's: it keeps the previous attempt
// of each container (logs --previous, lastState) and removes the one before, i.e. kubelet's
// --maximum-dead-containers-per-container=1, which is fixed here (no flag). Not done:
// --maximum-dead-containers (deprecated in kube), --minimum-container-ttl-duration as a flag
// (minAgeMs is an option), removing the orphaned pod directories of the volume manager.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../util/log.js';
import type { NodeEventSink } from './images/gc.js';
import type { ContainerRuntime } from './runtime/types.js';

/** kubelet's ContainerGCPeriod. */
export const CONTAINER_GC_PERIOD_MS = 60_000;

export interface ContainerGCOptions {
  runtime: Pick<ContainerRuntime, 'listPodSandboxes' | 'stopPodSandbox' | 'removePodSandbox'>;
  nodeName: string;
  /** The uids of the pods this node runs now (pod workers, static pods included). */
  activePods: () => Set<string>;
  /** The kubelet's root dir (pod log directories under pods/). */
  rootDir: string;
  log: Logger;
  nodeEvent?: NodeEventSink;
  /** A sandbox younger than this stays (kubelet's --minimum-container-ttl-duration, 0). */
  minAgeMs?: number;
  now?: () => number;
}

export class ContainerGC {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly o: ContainerGCOptions) {}

  /** One round: removes what belongs to pods this node no longer has. */
  async garbageCollect(): Promise<void> {
    const now = (this.o.now ?? Date.now)();
    const list = this.o.runtime.listPodSandboxes;
    if (!list) return;
    const sandboxes = await list.call(this.o.runtime);
    // Read after listing: a pod added meanwhile has a worker, so its new sandbox is never taken.
    const active = this.o.activePods();
    const errors: string[] = [];
    const kept = new Set<string>();
    for (const sb of sandboxes) {
      // Another node's kubelet may share this runtime (its sandboxes carry its name).
      if (sb.nodeName && sb.nodeName !== this.o.nodeName) continue;
      if (!sb.podUid || active.has(sb.podUid) || now - sb.createdAt < (this.o.minAgeMs ?? 0)) {
        kept.add(sb.podUid);
        continue;
      }
      this.o.log.info({ pod: `${sb.namespace}/${sb.name}`, podUID: sb.podUid, sandbox: sb.id }, 'Removing the pod sandbox of a pod that no longer exists');
      try {
        if (sb.ready) await this.o.runtime.stopPodSandbox(sb.id);
        await this.o.runtime.removePodSandbox(sb.id);
      } catch (e) {
        kept.add(sb.podUid);
        errors.push(`failed to remove sandbox ${sb.id}: ${(e as Error).message}`);
      }
    }
    this.removeLogDirs(active, kept, errors);
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** Log directories of pods neither running here nor with a sandbox left. */
  private removeLogDirs(active: Set<string>, kept: Set<string>, errors: string[]): void {
    let names: string[];
    try {
      names = readdirSync(join(this.o.rootDir, 'pods'));
    } catch {
      return;
    }
    for (const name of names) {
      // <namespace>_<name>_<uid>: namespaces and names cannot contain '_'.
      const parts = name.split('_');
      if (parts.length !== 3 || !parts[2]) continue;
      const uid = parts[2];
      if (active.has(uid) || kept.has(uid)) continue;
      try {
        rmSync(join(this.o.rootDir, 'pods', name), { recursive: true, force: true });
        this.o.log.info({ podUID: uid, dir: name }, 'Removed the log directory of a deleted pod');
      } catch (e) {
        errors.push(`failed to remove the log directory ${name}: ${(e as Error).message}`);
      }
    }
  }

  /** One periodic round as the kubelet runs it. */
  async tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.garbageCollect()
      .catch((e) => {
        const msg = (e as Error).message;
        this.o.log.error({ err: msg }, 'Container garbage collection failed');
        this.o.nodeEvent?.('Warning', 'ContainerGCFailed', msg);
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  start(periodMs = CONTAINER_GC_PERIOD_MS): void {
    this.timer = setInterval(() => void this.tick(), periodMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
