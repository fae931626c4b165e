// The garbage collector: deletes objects whose owners are gone, and carries out the three
// propagation policies for owners being deleted:
//   Background  the owner is deleted at once; its dependents are collected after (here)
//   Foreground  the owner keeps the `foregroundDeletion` finalizer until its dependents with
//               blockOwnerDeletion are gone; dependents are deleted (in foreground) first
//   Orphan      the owner keeps the `orphan` finalizer until its dependents' ownerReferences
//               to it are removed; they live on
// It watches every deletable resource found by discovery (re-discovered periodically for CRDs),
// indexing objects by uid and by owner uid. An owner is "absent" only after a live GET confirms
// it (a slow informer must never make it delete dependents of a live owner).
import { discoverResources, groupOf, type DiscoveredResource } from '../../client/discovery.js';
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound, type KObject } from '../../client/rest-client.js';
import { resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';

interface Entry {
  res: DiscoveredResource;
  obj: K;
}

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private readonly runner: QueueRunner;
  private readonly byUid = new Map<string, Entry>();
  private readonly dependents = new Map<string, Set<string>>(); // owner uid -> dependent uids
  private readonly byKind = new Map<string, DiscoveredResource>(); // group/kind -> resource
  private readonly watched = new Set<string>();

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('garbage-collector', Number(ctx.options.concurrentGcSyncs ?? 20), (k) => this.sync(k));
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.discover();
    const timer = setInterval(() => void this.discover().catch(() => {}), Number(this.ctx.options.gcDiscoveryPeriodMs ?? 30_000));
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    await this.runner.run(signal);
  }

  private async discover(): Promise<void> {
    for (const r of await discoverResources(this.ctx.client)) {
      this.byKind.set(`${r.group}/${r.kind}`, r);
      const id = `${r.group}/${r.version}/${r.resource}`;
      if (this.watched.has(id) || !['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
      if (r.resource === 'events') continue; // high churn, never owners in practice
      this.watched.add(id);
      this.watch(this.ctx.informers.informerFor(r), r);
    }
  }

  private watch(inf: Informer, res: DiscoveredResource): void {
    inf.addEventHandler({
      onAdd: (o) => this.upsert(res, o),
      onUpdate: (_old, o) => this.upsert(res, o),
      onDelete: (o) => this.remove(o),
    });
  }

  private upsert(res: DiscoveredResource, obj: KObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const prev = this.byUid.get(uid);
    for (const r of prev?.obj.metadata?.ownerReferences ?? []) this.dependents.get(r.uid)?.delete(uid);
    this.byUid.set(uid, { res, obj });
    for (const r of obj.metadata?.ownerReferences ?? []) {
      let s = this.dependents.get(r.uid);
      if (!s) this.dependents.set(r.uid, (s = new Set()));
      s.add(uid);
      this.runner.enqueue(`dep:${uid}`);
    }
    const fin: string[] = obj.metadata?.finalizers ?? [];
    if (obj.metadata?.deletionTimestamp && (fin.includes('foregroundDeletion') || fin.includes('orphan'))) this.runner.enqueue(`own:${uid}`);
    // A dependent finishing may unblock an owner waiting in foreground.
    if (obj.metadata?.deletionTimestamp) for (const r of obj.metadata?.ownerReferences ?? []) this.runner.enqueue(`own:${r.uid}`);
  }

  private remove(obj: KObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    this.byUid.delete(uid);
    for (const r of obj.metadata?.ownerReferences ?? []) {
      this.dependents.get(r.uid)?.delete(uid);
      this.runner.enqueue(`own:${r.uid}`);
    }
    for (const d of this.dependents.get(uid) ?? []) this.runner.enqueue(`dep:${d}`);
  }

  private path(e: Entry): string {
    return resourcePath(e.res, e.obj.metadata?.namespace, e.obj.metadata?.name);
  }

  /** Whether the owner named by `ref` (in the dependent's namespace) exists with that uid, asking the API. */
  private async ownerPresent(ref: K, namespace: string | undefined): Promise<{ present: boolean; owner?: K }> {
    const res = this.byKind.get(`${groupOf(ref.apiVersion)}/${ref.kind}`);
    if (!res) return { present: true }; // unknown kind: never collect on a guess
    try {
      const owner = await this.ctx.client.get(resourcePath(res, res.namespaced ? namespace : undefined, ref.name));
      return { present: owner.metadata?.uid === ref.uid, owner: owner.metadata?.uid === ref.uid ? owner : undefined };
    } catch (e) {
      if (isNotFound(e)) return { present: false };
      throw e;
    }
  }

  async sync(key: string): Promise<void> {
    const [kind, uid] = [key.slice(0, 3), key.slice(4)];
    if (kind === 'dep') return this.syncDependent(uid);
    return this.syncOwner(uid);
  }

  private async syncDependent(uid: string): Promise<void> {
    const e = this.byUid.get(uid);
    if (!e || e.obj.metadata?.deletionTimestamp) return;
    const refs: K[] = e.obj.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const absent: K[] = [];
    let waitingForeground = false;
    for (const ref of refs) {
      const local = this.byUid.get(ref.uid);
      if (local && !local.obj.metadata?.deletionTimestamp) continue; // owner alive in cache
      const { present, owner } = await this.ownerPresent(ref, e.obj.metadata?.namespace);
      if (!present) absent.push(ref);
      else if (owner?.metadata?.deletionTimestamp && (owner.metadata.finalizers ?? []).includes('foregroundDeletion') && ref.blockOwnerDeletion) waitingForeground = true;
    }
    if (absent.length === refs.length || (waitingForeground && absent.length + 1 >= refs.length)) {
      const policy = waitingForeground ? 'Foreground' : 'Background';
      await this.ctx.client.delete(this.path(e), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: policy, preconditions: { uid } }).catch((err) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
    } else if (absent.length) {
      const gone = new Set(absent.map((r) => r.uid));
      await this.patchOwnerRefs(e, refs.filter((r) => !gone.has(r.uid)));
    }
  }

  private async patchOwnerRefs(e: Entry, refs: K[]): Promise<void> {
    await this.ctx.client.patch(this.path(e), { metadata: { ownerReferences: refs.length ? refs : null, uid: e.obj.metadata?.uid } }, 'merge').catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  private async syncOwner(uid: string): Promise<void> {
    const e = this.byUid.get(uid);
    if (!e || !e.obj.metadata?.deletionTimestamp) return;
    const fin: string[] = e.obj.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(uid) ?? [])].map((d) => this.byUid.get(d)).filter((d): d is Entry => !!d);
    if (fin.includes('orphan')) {
      for (const d of deps) await this.patchOwnerRefs(d, (d.obj.metadata?.ownerReferences ?? []).filter((r: K) => r.uid !== uid));
      return this.removeFinalizer(e, 'orphan');
    }
    if (fin.includes('foregroundDeletion')) {
      let blocking = 0;
      for (const d of deps) {
        const ref = (d.obj.metadata?.ownerReferences ?? []).find((r: K) => r.uid === uid);
        if (ref?.blockOwnerDeletion) blocking++;
        if (!d.obj.metadata?.deletionTimestamp)
          await this.ctx.client.delete(this.path(d), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: ref?.blockOwnerDeletion ? 'Foreground' : 'Background' }).catch((err) => {
            if (!isNotFound(err)) throw err;
          });
      }
      if (blocking === 0) await this.removeFinalizer(e, 'foregroundDeletion');
    }
  }

  private async removeFinalizer(e: Entry, name: string): Promise<void> {
    const finalizers = (e.obj.metadata?.finalizers ?? []).filter((f: string) => f !== name);
    await this.ctx.client.patch(this.path(e), { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: e.obj.metadata?.resourceVersion } }, 'merge').catch((err) => {
      if (isConflict(err)) throw err; // retried with the fresh object
      if (!isNotFound(err)) throw err;
    });
  }
}

export const newGarbageCollector = (ctx: ControllerContext): Controller => new GarbageCollector(ctx);
