// One node's static pods: the manifest directory (static-pods.ts) feeds the node's pod workers
// directly, so static pods run before the Node is registered and while the apiserver is
// unreachable; their mirror pods (mirror-pods.ts) are kept in the API, and each worker writes
// its static pod's status to the mirror. A changed manifest is a new pod (a new UID): the old
// worker stops first and the new one starts once it has finished (kube's podWorkers wait for
// the previous static pod of the same full name, allowStaticPodStart). Mirror pods arriving
// through the kubelet's pod informer come here and are never run.
import type { RestClient } from '../client/rest-client.js';
import type { Logger } from '../util/log.js';
import { MirrorPods } from './mirror-pods.js';
import type { Pod } from './pod-status.js';
import { StaticPodSource } from './static-pods.js';

/** What the manager needs of the node's pod workers. */
export interface StaticPodHost {
  /** Create the worker of this pod, or hand it the newer object. */
  run(pod: Pod): void;
  /** Stop and forget the worker of this UID. */
  stop(uid: string): void;
  /** Whether some worker still has a pod of this namespace/name (maybe terminating). */
  running(namespace: string, name: string): boolean;
}

export interface StaticPodManagerOptions {
  /** The manifest directory; undefined = no static pods (mirror pods left over are deleted). */
  dir?: string;
  nodeName: string;
  client: RestClient;
  log: Logger;
  nodeUid(): string | undefined;
  host: StaticPodHost;
  /** Manifest rescan period (default 20 s) and mirror resync period (default 10 s). */
  fileCheckFrequencyMs?: number;
  mirrorResyncMs?: number;
}

export class StaticPodManager {
  private pods = new Map<string, Pod>();
  private readonly started = new Set<string>();
  private readonly source?: StaticPodSource;
  private readonly mirrors: MirrorPods;

  constructor(private readonly o: StaticPodManagerOptions) {
    if (o.dir) this.source = new StaticPodSource({ dir: o.dir, nodeName: o.nodeName, log: o.log, periodMs: o.fileCheckFrequencyMs, onChange: (pods) => this.setPods(pods) });
    this.mirrors = new MirrorPods({ client: o.client, nodeName: o.nodeName, nodeUid: o.nodeUid, log: o.log, resyncMs: o.mirrorResyncMs, onMirror: (uid) => this.mirrorChanged(uid) });
  }

  async start(): Promise<void> {
    this.mirrors.start();
    if (this.source) await this.source.start();
    else this.setPods([]);
  }
  stop(): void {
    this.source?.stop();
    this.mirrors.stop();
  }

  isStatic(uid: string): boolean {
    return this.pods.has(uid);
  }

  /** Where a static pod's status goes: its mirror pod, once there is one. */
  statusTarget(uid: string): { namespace: string; name: string; uid: string } | undefined {
    const s = this.pods.get(uid);
    const m = s && this.mirrors.mirrorOf(s);
    return m && { namespace: m.metadata.namespace, name: m.metadata.name, uid: m.metadata.uid };
  }

  mirrorUpdated(pod: Pod): void {
    this.mirrors.mirrorUpdated(pod);
  }
  mirrorDeleted(pod: Pod): void {
    this.mirrors.mirrorDeleted(pod);
  }
  /** The Node exists now: mirrors can be owned by it. */
  nodeRegistered(): void {
    this.mirrors.resync();
  }
  /** A pod worker finished: a static pod waiting for its predecessor's name may start. */
  workerDone(): void {
    this.dispatch();
  }

  private setPods(list: Pod[]): void {
    const next = new Map(list.map((p) => [p.metadata.uid as string, p]));
    for (const uid of this.pods.keys())
      if (!next.has(uid)) {
        const p = this.pods.get(uid)!;
        this.o.log.info({ pod: `${p.metadata.namespace}/${p.metadata.name}`, uid }, 'static pod removed or changed, stopping it');
        this.started.delete(uid);
        this.o.host.stop(uid);
      }
    this.pods = next;
    this.mirrors.setStatic(list);
    this.dispatch();
  }

  private dispatch(): void {
    for (const [uid, p] of this.pods) {
      if (this.started.has(uid) || this.o.host.running(p.metadata.namespace, p.metadata.name)) continue;
      this.started.add(uid);
      this.o.log.info({ pod: `${p.metadata.namespace}/${p.metadata.name}`, uid }, 'starting static pod');
      this.o.host.run(this.withMirrorStatus(p));
    }
  }

  private mirrorChanged(uid: string): void {
    const p = this.pods.get(uid);
    if (p && this.started.has(uid)) this.o.host.run(this.withMirrorStatus(p));
  }

  /** The static pod with its mirror's status (restart counts, condition times survive). */
  private withMirrorStatus(p: Pod): Pod {
    const m = this.mirrors.mirrorOf(p);
    return m?.status ? { ...p, status: m.status } : p;
  }
}
