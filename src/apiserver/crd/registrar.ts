// Serving custom resources (kube's apiextensions-apiserver): every CRD's served versions are
// registered as resources as soon as the CRD is created or changed (discovery follows), its
// status set to NamesAccepted/Established, and its resources removed (instances deleted) when
// the CRD goes.
import type { Store } from '../../storage/store.js';
import { prefixEnd } from '../../storage/store.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import type { GenericStore } from '../registry/generic/store.js';
import { newContext } from '../registry/generic/context.js';
import { customResourceStrategy, type CustomStrategy } from './custom-resource-strategy.js';
import { computeCrdStatus } from '../registry/apiextensions/crd-validation.js';
import { servedVersions } from '../registry/apiextensions/crd-resource-info.js';
import { jsonEqual } from '../registry/generic/meta.js';
import { logger } from '../../util/log.js';
import { decodeObject } from '../registry/generic/keys.js';
import type { OpenApiService } from '../openapi/index.js';

const log = logger('crd-registrar');

export class CrdRegistrar {
  private served = new Map<string, { group: string; resource: string; crd: KObject }>();
  private stopWatch?: () => void;

  constructor(
    private store: Store,
    private resources: Resources,
    private crds: GenericStore,
    private openapi?: OpenApiService,
  ) {}

  /** The CRD object behind a custom resource strategy. */
  crdFor(s: CustomStrategy): KObject | undefined {
    return this.served.get(s.crdName)?.crd;
  }

  async start(): Promise<void> {
    const prefix = this.crds.prefix('');
    const r = await this.store.range({ key: prefix, rangeEnd: prefixEnd(prefix) });
    for (const kv of r.kvs) await this.apply(this.crds.typed(decodeObject(kv)));
    const w = await this.store.watch({ key: prefix, rangeEnd: prefixEnd(prefix), startRevision: r.header.revision + 1, prevKv: true }, (resp) => {
      for (const ev of resp.events) {
        if (ev.type === 'PUT') void this.apply(this.crds.typed(decodeObject(ev.kv))).catch((e) => log.error({ err: e }, 'serving CRD failed'));
        else if (ev.prevKv) void this.removeCrd(this.crds.typed(decodeObject(ev.prevKv))).catch((e) => log.error({ err: e }, 'removing CRD failed'));
      }
    });
    this.stopWatch = () => w.cancel();
  }

  stop(): void {
    this.stopWatch?.();
  }

  private async apply(crd: KObject): Promise<void> {
    const name = crd.metadata!.name as string;
    const prev = this.served.get(name);
    const group = crd.spec?.group;
    const plural = crd.spec?.names?.plural;
    if (prev && (prev.group !== group || prev.resource !== plural)) this.resources.remove(prev.group, prev.resource);
    if (crd.metadata?.deletionTimestamp) {
      await this.deleteInstances(crd);
      return;
    }
    const versions = servedVersions(crd);
    if (prev && jsonEqual(prev.crd.spec, crd.spec)) {
      // Only status or metadata changed (e.g. our own Established update): keep serving as is.
      prev.crd = crd;
      await this.updateStatus(crd);
      return;
    }
    if (prev) this.resources.remove(prev.group, prev.resource);
    const storage = (crd.spec?.versions ?? []).find((v: KObject) => v.storage)?.name ?? versions[0]?.name;
    // The storage version first, so every version's store shares its key prefix.
    const ordered = [...versions].sort((a, b) => (a.name === storage ? -1 : b.name === storage ? 1 : 0));
    for (const v of ordered) this.resources.add(customResourceStrategy(crd, v), { silent: true });
    if (versions.length) this.resources.setPreferredVersion(group, versions[0].name);
    this.served.set(name, { group, resource: plural, crd });
    this.resources.notify();
    try {
      this.openapi?.addCrd(crd);
    } catch (e) {
      log.warn({ err: e, crd: name }, 'openapi for CRD failed');
    }
    await this.updateStatus(crd);
  }

  /** Status: NamesAccepted / Established. */
  private async updateStatus(crd: KObject): Promise<void> {
    const name = crd.metadata!.name as string;
    const others = [...this.served.values()].map((x) => x.crd).filter((c) => c.metadata?.name !== name);
    const status = computeCrdStatus(crd, others);
    if (!jsonEqual(status, crd.status)) {
      await this.crds
        .guaranteedUpdate(newContext(''), name, (cur) => {
          if (!cur) throw new Error('gone');
          cur.status = computeCrdStatus(cur, others);
          return cur;
        }, { subresource: 'crd-status' })
        .catch((e) => log.debug({ err: e }, 'CRD status update skipped'));
    }
  }

  private async deleteInstances(crd: KObject): Promise<void> {
    const group = crd.spec?.group;
    const plural = crd.spec?.names?.plural;
    const prefix = Buffer.from(`/registry/${group}/${plural}/`);
    await this.store.deleteRange({ key: prefix, rangeEnd: prefixEnd(prefix) });
    // Remove the cleanup finalizer so the CRD itself can go.
    await this.crds
      .guaranteedUpdate(newContext(''), crd.metadata!.name, (cur) => {
        if (!cur) throw new Error('gone');
        cur.metadata!.finalizers = (cur.metadata!.finalizers ?? []).filter((f: string) => f !== 'customresourcecleanup.apiextensions.k8s.io');
        return cur;
      }, { subresource: 'crd-finalize' })
      .catch(() => undefined);
  }

  private async removeCrd(crd: KObject): Promise<void> {
    const name = crd.metadata!.name as string;
    const prev = this.served.get(name);
    this.served.delete(name);
    if (prev) this.resources.remove(prev.group, prev.resource);
    try {
      this.openapi?.removeCrd(name);
    } catch {
      /* already gone */
    }
    const group = crd.spec?.group;
    const plural = crd.spec?.names?.plural;
    const prefix = Buffer.from(`/registry/${group}/${plural}/`);
    await this.store.deleteRange({ key: prefix, rangeEnd: prefixEnd(prefix) });
  }
}
