// Test fixture for the admission plugins: a Resources over a fresh embedded store (every built-in
// kind, no watch cache so reads see writes at once), object creation through the generic store,
// and AdmissionAttributes as the handlers build them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMvccStore } from '../../storage/mvcc/index.js';
import { Resources } from '../resources.js';
import { builtinStrategies } from '../registry/all.js';
import { newContext } from '../registry/generic/context.js';
import type { AdmissionAttributes, AdmissionPlugin, UserInfo } from '../filters/pipeline.js';
import type { KObject } from '../registry/strategy.js';

export interface Fixture {
  resources: Resources;
  create(group: string, resource: string, obj: KObject): Promise<KObject>;
  close(): Promise<void>;
}

export async function fixture(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-admission-'));
  const store = await openMvccStore({ dataDir: dir });
  const resources = new Resources(store, { watchCache: false });
  for (const s of builtinStrategies) resources.add(s, { silent: true });
  return {
    resources,
    create: (group, resource, obj) => resources.storeFor(group, resource)!.create(newContext(obj.metadata?.namespace ?? ''), obj),
    async close() {
      resources.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function attrs(
  operation: AdmissionAttributes['operation'],
  where: { group?: string; version?: string; resource: string; namespace?: string; name?: string; subresource?: string },
  object?: KObject,
  opts: { oldObject?: KObject; user?: UserInfo; dryRun?: boolean } = {},
): AdmissionAttributes {
  const group = where.group ?? '';
  const info = {
    isResourceRequest: true,
    path: '',
    verb: operation.toLowerCase(),
    apiPrefix: (group ? 'apis' : 'api') as 'api' | 'apis',
    group,
    version: where.version ?? 'v1',
    namespace: where.namespace ?? '',
    resource: where.resource,
    subresource: where.subresource ?? '',
    name: where.name ?? object?.metadata?.name ?? '',
    parts: [],
  };
  return { operation, info, object, oldObject: opts.oldObject, ctx: newContext(info.namespace, { user: opts.user, dryRun: opts.dryRun }) };
}

/** Run plugins as runAdmission does: every admit, then every validate. */
export async function admit(plugins: AdmissionPlugin[], a: AdmissionAttributes): Promise<AdmissionAttributes> {
  for (const p of plugins) await p.admit?.(a);
  for (const p of plugins) await p.validate?.(a);
  return a;
}
