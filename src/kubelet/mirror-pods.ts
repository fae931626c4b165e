// Mirror pods (kubelet's mirror_client.go and the mirror part of syncPod/HandlePodCleanups): for
// each static pod, a pod in the API with the same name, namespace and spec, the annotation
// kubernetes.io/config.mirror = the static pod's config.hash and a controller ownerReference to
// the Node (kube 1.24+), so `kubectl get pods` shows it and NodeRestriction lets the node create
// it. A mirror whose hash differs (the manifest changed), that is being deleted (a user's
// `kubectl delete pod`) or whose static pod is gone is deleted at once (gracePeriodSeconds 0,
// UID precondition) and, while its static pod exists, created again. Nothing of a mirror pod is
// ever run: the static pod is, and its status is written to the mirror. Mirrors are known from
// the kubelet's pod informer; a resync every 10 s retries what failed (the apiserver may be
// unreachable while static pods already run).
import { ApiError, isAlreadyExists, isNotFound, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import type { Logger } from '../util/log.js';
import type { Pod } from './pod-status.js';
import { CONFIG_HASH, CONFIG_MIRROR } from './static-pods.js';

export interface MirrorPodsOptions {
  client: RestClient;
  nodeName: string;
  /** The Node's UID once it is registered (the owner reference needs it). */
  nodeUid(): string | undefined;
  log: Logger;
  /** A mirror of this static pod (by UID) appeared, changed or went away. */
  onMirror(staticUid: string): void;
  resyncMs?: number;
}

const key = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;

/** The mirror pod body for a static pod (kube's CreateMirrorPod). */
export function mirrorPodFor(staticPod: Pod, nodeName: string, nodeUid: string): Pod {
  const m = staticPod.metadata;
  const { uid: _uid, resourceVersion: _rv, ...meta } = m;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      annotations: { ...m.annotations, [CONFIG_MIRROR]: m.annotations[CONFIG_HASH] },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid, controller: true }],
    },
    spec: staticPod.spec,
  };
}

export class MirrorPods {
  /** Static pods by namespace/name; undefined until the source's first scan. */
  private desired?: Map<string, Pod>;
  private readonly mirrors = new Map<string, Pod>();
  private readonly busy = new Set<string>();
  private readonly dirty = new Set<string>();
  /** The last failure per name, logged once (a forbidden mirror fails at every resync). */
  private readonly failed = new Map<string, string>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: MirrorPodsOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.resync(), this.o.resyncMs ?? 10_000);
    this.timer.unref?.();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The static pods now declared (the whole set). */
  setStatic(pods: Pod[]): void {
    const before = this.desired ? [...this.desired.keys()] : [];
    this.desired = new Map(pods.map((p) => [key(p), p]));
    for (const k of new Set([...before, ...this.desired.keys(), ...this.mirrors.keys()])) void this.reconcile(k);
  }

  /** A mirror pod bound to this node was seen in the API (informer add/update). */
  mirrorUpdated(pod: Pod): void {
    const k = key(pod);
    const prev = this.mirrors.get(k);
    this.mirrors.set(k, pod);
    this.notify(k, prev);
    void this.reconcile(k);
  }
  mirrorDeleted(pod: Pod): void {
    const k = key(pod);
    if (this.mirrors.get(k)?.metadata.uid !== pod.metadata.uid) return;
    this.mirrors.delete(k);
    this.notify(k, pod);
    void this.reconcile(k);
  }

  /** The mirror of this static pod, when one with its hash exists and is not being deleted. */
  mirrorOf(staticPod: Pod): Pod | undefined {
    const m = this.mirrors.get(key(staticPod));
    if (!m || m.metadata.deletionTimestamp || m.metadata.annotations?.[CONFIG_MIRROR] !== staticPod.metadata.annotations?.[CONFIG_HASH]) return undefined;
    return m;
  }

  resync(): void {
    for (const k of new Set([...(this.desired?.keys() ?? []), ...this.mirrors.keys()])) void this.reconcile(k);
  }

  private notify(k: string, prev?: Pod): void {
    const s = this.desired?.get(k);
    if (s) this.o.onMirror(s.metadata.uid);
    else if (prev) this.o.onMirror('');
  }

  /** Converge one name; calls for a name never overlap (one more runs if asked meanwhile). */
  private async reconcile(k: string): Promise<void> {
    if (this.busy.has(k)) {
      this.dirty.add(k);
      return;
    }
    this.busy.add(k);
    try {
      do {
        this.dirty.delete(k);
        await this.reconcileOnce(k).then(
          () => this.failed.delete(k),
          (e: Error) => {
            if (this.failed.get(k) !== e.message) this.o.log.warn({ pod: k, err: e.message }, 'mirror pod sync failed, retrying at the next resync');
            this.failed.set(k, e.message);
          },
        );
      } while (this.dirty.has(k));
    } finally {
      this.busy.delete(k);
    }
  }

  private async reconcileOnce(k: string): Promise<void> {
    if (!this.desired) return; // the manifests are not read yet: no mirror is an orphan yet
    const s = this.desired.get(k);
    let m = this.mirrors.get(k);
    if (m && (!s || m.metadata.deletionTimestamp || m.metadata.annotations?.[CONFIG_MIRROR] !== s.metadata.annotations?.[CONFIG_HASH])) {
      const why = !s ? 'static pod is gone' : m.metadata.deletionTimestamp ? 'mirror pod is being deleted' : 'static pod changed';
      this.o.log.info({ pod: k, uid: m.metadata.uid, why }, 'deleting mirror pod');
      try {
        await this.o.client.delete(resourcePath(Resources.pods, m.metadata.namespace, m.metadata.name), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: m.metadata.uid } });
      } catch (e) {
        if (!isNotFound(e) && !(e instanceof ApiError && e.code === 409)) throw e;
      }
      if (this.mirrors.get(k) === m) this.mirrors.delete(k);
      m = undefined;
    }
    if (!s || m) return;
    const nodeUid = this.o.nodeUid();
    if (!nodeUid) return; // created once the Node is registered
    try {
      const created = await this.o.client.post(resourcePath(Resources.pods, s.metadata.namespace), mirrorPodFor(s, this.o.nodeName, nodeUid));
      this.o.log.info({ pod: k, uid: created.metadata?.uid }, 'created mirror pod');
      if (!this.mirrors.has(k)) this.mirrors.set(k, created as Pod);
      this.o.onMirror(s.metadata.uid);
    } catch (e) {
      // An old mirror still there: the informer brings it, then it is replaced.
      if (!isAlreadyExists(e)) throw e;
    }
  }
}
