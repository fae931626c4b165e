// The generic store (Kubernetes' registry/generic/registry.Store): get/create/update for every
// kind on the Store interface, with the kind's strategy for defaulting, validation and the
// fields a client may not set. Deletion is in delete.ts, list and watch in list.ts/watch.ts.
import type { Store, KeyValue } from '../../../storage/store.js';
import type { KObject, Strategy } from '../strategy.js';
import type { FieldErrorList } from '../../../api/field-errors.js';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound, type GroupResource } from '../../status.js';
import { decodeObject, encodeObject, keyPrefix, objectKey } from './keys.js';
import { clone, generateName, jsonEqual, newUid, rfc3339, validateObjectMeta } from './meta.js';
import type { RequestContext } from './context.js';
import type { WatchCache } from '../../watchcache/cache.js';
import { isStale } from '../../encryption/stored-value.js';

/** Kinds where a PUT of a missing object creates it (AllowCreateOnUpdate in kube-apiserver). */
const createOnUpdateDefault = new Set(['endpoints', 'events', 'leases', 'limitranges', 'endpointslices', 'services/endpoints']);

export interface WriteOptions {
  dryRun?: boolean;
  /** 'status' (only .status changes) or '' for the main resource. */
  subresource?: string;
  /** Last change to the object a PUT computes from the current one (managedFields). */
  mutate?: (next: KObject, current: KObject | undefined) => KObject;
  /**
   * create only: the caller hands `input` over (an object decoded for this request alone), so the
   * store edits it in place instead of deep-copying it first (a copy of a pod was ~1.5% of a
   * create's CPU, plus its garbage). The returned object may then share subtrees with `input`.
   */
  owned?: boolean;
}

/** Computes the new object from the current one; throws ApiError to stop. `current` is undefined for a missing object. */
export type UpdateFn = (current: KObject | undefined) => Promise<KObject> | KObject;

export interface UpdateOptions extends WriteOptions {
  /** A missing object may be created by this update (PUT create-on-update, server-side apply). */
  allowCreate?: boolean;
  /** Return Conflict instead of retrying when the store changed under us (caller pinned a resourceVersion). */
  pinnedResourceVersion?: boolean;
}

export class GenericStore {
  readonly gr: GroupResource;
  watchCache?: WatchCache;
  /**
   * Serve consistent lists (resourceVersion unset) from the watch cache after confirming its
   * freshness with a store progress request (embedded store; a real etcd before 3.4.25 may send
   * progress notifications early, so there the store is read, as kube-apiserver does).
   */
  consistentCacheReads = false;
  /** Hooks the apiserver adds (admission, ClusterIP allocation): run before a write is stored. */
  readonly beforeWrite: Array<(op: 'create' | 'update', obj: KObject, old: KObject | undefined, ctx: RequestContext) => Promise<void> | void> = [];
  /** After a successful (non-dry-run) delete (release ClusterIPs, ...). */
  readonly afterDelete: Array<(obj: KObject) => Promise<void> | void> = [];
  /** A create whose beforeWrite hooks ran was not stored (already exists): undo what the hooks took. */
  readonly writeFailed: Array<(obj: KObject) => void> = [];

  constructor(
    readonly strategy: Strategy,
    readonly store: Store,
  ) {
    this.gr = { group: strategy.info.group, resource: strategy.info.resource };
  }

  get info() {
    return this.strategy.info;
  }

  key(ns: string, name: string): Buffer {
    return Buffer.from(objectKey(this.info, ns, name));
  }
  prefix(ns: string): Buffer {
    return Buffer.from(keyPrefix(this.info, ns));
  }

  get allowCreateOnUpdate(): boolean {
    const s = this.strategy as Strategy & { allowCreateOnUpdate?: boolean };
    return s.allowCreateOnUpdate ?? createOnUpdateDefault.has(this.info.resource);
  }

  /** apiVersion as served (group/version). */
  get apiVersion(): string {
    return this.info.group ? `${this.info.group}/${this.info.version}` : this.info.version;
  }

  /** Encode an object for the store (through the kind's storage conversion, if any). */
  encode(obj: KObject): Buffer {
    const conv = this.strategy.storageConversion;
    return encodeObject(conv ? conv.toStorage(obj) : obj);
  }

  /** Stamp apiVersion/kind onto an object read from the store. */
  typed(stored: KObject): KObject {
    const conv = this.strategy.storageConversion;
    const obj = conv ? conv.fromStorage(stored) : stored;
    if (conv && stored.metadata?.resourceVersion) obj.metadata = { ...obj.metadata, resourceVersion: stored.metadata.resourceVersion };
    obj.apiVersion = this.apiVersion;
    obj.kind = this.info.kind;
    return obj;
  }

  async readKv(ns: string, name: string): Promise<KeyValue | undefined> {
    const r = await this.store.range({ key: this.key(ns, name) });
    return r.kvs[0];
  }

  async get(ns: string, name: string): Promise<KObject> {
    const kv = await this.readKv(ns, name);
    if (!kv) throw notFound(this.gr, name);
    return this.typed(decodeObject(kv));
  }

  /** The current store revision (a cheap read). */
  async currentRevision(): Promise<number> {
    // A single-key read (the prefix itself is never a key): the header carries the store revision.
    const r = await this.store.range({ key: this.prefix(''), limit: 1 });
    return r.header.revision;
  }

  private invalid(name: string, errs: FieldErrorList): ApiError {
    return invalid(this.info.group, this.info.kind, name, errs);
  }

  /** Bring an incoming object's namespace in line with the request (400 on mismatch). */
  private checkNamespace(obj: KObject, ctx: RequestContext): void {
    obj.metadata = obj.metadata ?? {};
    if (this.info.namespaced) {
      if (obj.metadata.namespace && ctx.namespace && obj.metadata.namespace !== ctx.namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      obj.metadata.namespace = ctx.namespace || obj.metadata.namespace;
    } else delete obj.metadata.namespace;
  }

  private checkKind(obj: KObject): void {
    if (obj.kind && obj.kind !== this.info.kind && obj.kind !== 'Scale')
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${this.apiVersion})`);
  }

  /** Create (BeforeCreate + Create in kube-apiserver). */
  async create(ctx: RequestContext, input: KObject, opts: WriteOptions = {}): Promise<KObject> {
    const obj = opts.owned ? input : clone(input);
    this.checkKind(obj);
    this.checkNamespace(obj, ctx);
    const meta = obj.metadata!;
    if (!meta.name && meta.generateName) meta.name = generateName(String(meta.generateName));
    obj.apiVersion = this.apiVersion;
    obj.kind = this.info.kind;
    this.strategy.defaults?.(obj);
    meta.uid = newUid();
    meta.creationTimestamp = rfc3339(ctx.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.selfLink;
    if (this.strategy.generationOnSpecChange) meta.generation = 1;
    else delete meta.generation;
    this.strategy.prepareForCreate?.(obj, ctx);
    const errs = this.strategy.validate ? this.strategy.validate(obj, ctx) : validateObjectMeta(meta, this.info.namespaced);
    if (errs.length) throw this.invalid(meta.name ?? '', dedupe(errs));
    for (const h of this.beforeWrite) await h('create', obj, undefined, ctx);
    const key = this.key(ctx.namespace, meta.name);
    if (opts.dryRun || ctx.dryRun) {
      if (await this.readKv(ctx.namespace, meta.name)) throw alreadyExists(this.gr, meta.name);
      return obj;
    }
    const r = await this.store.txn({
      compare: [{ key, target: 'CREATE', result: 'EQUAL', createRevision: 0 }],
      success: [{ requestPut: { key, value: this.encode(obj) } }],
      failure: [],
    });
    if (!r.succeeded) {
      for (const h of this.writeFailed) h(obj);
      throw alreadyExists(this.gr, meta.name);
    }
    meta.resourceVersion = String(r.header.revision);
    await this.strategy.afterCreate?.(obj);
    return obj;
  }

  /**
   * Read-modify-write with optimistic concurrency (GuaranteedUpdate): `fn` computes the new
   * object from the current one; retried when the store changed, unless the result pins a
   * resourceVersion that no longer matches (409 Conflict).
   */
  async guaranteedUpdate(ctx: RequestContext, name: string, fn: UpdateFn, opts: UpdateOptions = {}): Promise<{ obj: KObject; created: boolean; deleted?: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.readKv(ctx.namespace, name);
      const current = kv ? this.typed(decodeObject(kv)) : undefined;
      if (!current && !opts.allowCreate) throw notFound(this.gr, name);
      const next = await fn(current ? clone(current) : undefined);
      if (!current) {
        try {
          return { obj: await this.create(ctx, next, opts), created: true };
        } catch (e) {
          if (e instanceof ApiError && e.reason === 'AlreadyExists' && attempt < 5) continue;
          throw e;
        }
      }
      const wantRv = next.metadata?.resourceVersion;
      if (wantRv && wantRv !== current.metadata!.resourceVersion) throw conflict(this.gr, name);
      const obj = await this.prepareUpdate(ctx, next, current, opts);
      // An update that removes the last finalizer of an object being deleted deletes it.
      const m = obj.metadata!;
      const shouldDelete = m.deletionTimestamp && (m.deletionGracePeriodSeconds ?? 0) === 0 && !(m.finalizers?.length > 0) && !(this.info.group === '' && this.info.resource === 'namespaces');
      if (opts.dryRun || ctx.dryRun) return { obj, created: false, deleted: !!shouldDelete };
      const key = this.key(ctx.namespace, name);
      if (shouldDelete) {
        const r = await this.store.txn({ compare: [{ key, target: 'MOD', result: 'EQUAL', modRevision: kv!.modRevision }], success: [{ requestDeleteRange: { key } }], failure: [] });
        if (!r.succeeded) {
          if (opts.pinnedResourceVersion) throw conflict(this.gr, name);
          continue;
        }
        m.resourceVersion = String(r.header.revision);
        for (const h of this.afterDelete) await h(obj);
        await this.strategy.afterDelete?.(obj);
        return { obj, created: false, deleted: true };
      }
      // An unchanged object is not written again, unless its stored value is stale (written with
      // an older encryption provider or key: rewriting it is how keys are rotated).
      if (jsonEqual(stripRv(obj), stripRv(current)) && !isStale(kv!)) return { obj: current, created: false };
      const r = await this.store.txn({
        compare: [{ key, target: 'MOD', result: 'EQUAL', modRevision: kv!.modRevision }],
        success: [{ requestPut: { key, value: this.encode(obj) } }],
        failure: [],
      });
      if (!r.succeeded) {
        if (opts.pinnedResourceVersion || attempt > 20) throw conflict(this.gr, name);
        continue;
      }
      obj.metadata!.resourceVersion = String(r.header.revision);
      return { obj, created: false };
    }
  }

  /** BeforeUpdate: metadata that cannot change, the strategy's hooks, validation. */
  async prepareUpdate(ctx: RequestContext, input: KObject, old: KObject, opts: WriteOptions): Promise<KObject> {
    this.checkKind(input);
    let obj = input;
    obj.metadata = obj.metadata ?? {};
    const om = old.metadata!;
    if (obj.metadata.name && obj.metadata.name !== om.name)
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${om.name})`);
    if (obj.metadata.uid && obj.metadata.uid !== om.uid)
      throw conflict(this.gr, om.name, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${om.uid}`);
    this.checkNamespace(obj, ctx);
    const internal = !!opts.subresource && opts.subresource !== 'status';
    if (internal) {
      // Server-internal writes (binding, namespace finalize/terminate): the caller set exactly what changes.
      const m = obj.metadata;
      m.name = om.name;
      m.uid = om.uid;
      m.creationTimestamp = om.creationTimestamp;
      obj.apiVersion = this.apiVersion;
      obj.kind = this.info.kind;
      for (const h of this.beforeWrite) await h('update', obj, old, ctx);
      return obj;
    }
    if (opts.subresource === 'status') {
      // Only .status changes through /status (ResetObjectMetaForStatus + the kind's status strategy).
      const merged = clone(old);
      merged.status = obj.status;
      if (obj.metadata.managedFields) merged.metadata!.managedFields = obj.metadata.managedFields;
      obj = merged;
      this.strategy.defaults?.(obj);
      this.strategy.status?.prepareForUpdate?.(obj, old, ctx);
    } else {
      const m = obj.metadata;
      m.name = om.name;
      m.uid = om.uid;
      m.creationTimestamp = om.creationTimestamp;
      if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp;
      else delete m.deletionTimestamp;
      if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
      else delete m.deletionGracePeriodSeconds;
      delete m.selfLink;
      obj.apiVersion = this.apiVersion;
      obj.kind = this.info.kind;
      this.strategy.defaults?.(obj);
      if (this.strategy.status && 'status' in old) obj.status = clone(old.status);
      else if (this.strategy.status) delete obj.status;
      // Generation first (the strategy may manage it itself in prepareForUpdate).
      if (om.generation !== undefined) m.generation = om.generation;
      else delete m.generation;
      this.strategy.prepareForUpdate?.(obj, old, ctx);
      if (this.strategy.generationOnSpecChange) {
        const changed = this.info.group.includes('.') && !this.info.group.endsWith('k8s.io') ? specOrDataChanged(obj, old) : !jsonEqual(obj.spec, old.spec);
        m.generation = (om.generation ?? 1) + (changed ? 1 : 0);
      }
    }
    const validator = opts.subresource === 'status' ? this.strategy.status?.validateUpdate : this.strategy.validateUpdate;
    const errs = validator ? validator(obj, old, ctx) : validateObjectMeta(obj.metadata!, this.info.namespaced);
    if (errs.length) throw this.invalid(om.name, dedupe(errs));
    for (const h of this.beforeWrite) await h('update', obj, old, ctx);
    return obj;
  }

  /** PUT: replace the object (create it where the kind allows create-on-update). */
  async update(ctx: RequestContext, name: string, input: KObject, opts: WriteOptions = {}): Promise<{ obj: KObject; created: boolean; deleted?: boolean }> {
    if (input.metadata?.name && input.metadata.name !== name && !opts.subresource)
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    const allowCreate = this.allowCreateOnUpdate && !opts.subresource;
    return this.guaranteedUpdate(
      ctx,
      name,
      (current) => {
        const next = clone(input);
        next.metadata = next.metadata ?? {};
        if (!current) next.metadata.name = name;
        return opts.mutate ? opts.mutate(next, current) : next;
      },
      { ...opts, allowCreate, pinnedResourceVersion: !!input.metadata?.resourceVersion },
    );
  }
}

function stripRv(o: KObject): KObject {
  const c = { ...o, metadata: { ...o.metadata } };
  delete c.metadata.resourceVersion;
  return c;
}

/** Custom resources: generation bumps on any change outside metadata and status. */
function specOrDataChanged(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !jsonEqual(strip(a), strip(b));
}

function dedupe(errs: FieldErrorList): FieldErrorList {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.type}|${e.field}|${e.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
