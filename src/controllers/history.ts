// ControllerRevisions (apps/v1), the history DaemonSets and StatefulSets keep of their pod
// templates: one revision per distinct template, named <owner>-<hash>, numbered, labelled
// controller-revision-hash on the pods it made; old revisions beyond revisionHistoryLimit (10)
// that no pod uses are deleted.
import { isAlreadyExists, isNotFound, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import { podTemplateHash, stableStringify } from './deployment/rollout.js';
import { ownerRefFor, type K } from './pod-util.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';

/** The data a revision records for an owner (its pod template, as Kubernetes' patch form). */
export const revisionData = (owner: K): K => ({ spec: { template: { ...structuredClone(owner.spec?.template ?? {}), $patch: 'replace' } } });

export const templateHash = (owner: K): string => podTemplateHash(owner.spec?.template ?? {}, owner.status?.collisionCount ?? 0);

/**
 * Find or create the revision for the owner's current template; returns it and the owner's
 * revisions sorted by number (oldest first).
 */
export async function ensureRevision(client: RestClient, owner: K, ownerKind: string, revisions: K[]): Promise<{ current: K; all: K[] }> {
  const sorted = [...revisions].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  const data = revisionData(owner);
  const same = sorted.filter((r) => stableStringify(r.data) === stableStringify(data));
  const next = (sorted[sorted.length - 1]?.revision ?? 0) + 1;
  if (same.length) {
    const cur = same[same.length - 1];
    if (cur !== sorted[sorted.length - 1]) {
      // Rolling back to an older template: it becomes the newest revision again.
      const updated = await client.patch(resourcePath(Resources.controllerrevisions, owner.metadata.namespace, cur.metadata.name), { revision: next }, 'merge');
      return { current: updated, all: [...sorted.filter((r) => r !== cur), updated] };
    }
    return { current: cur, all: sorted };
  }
  const hash = templateHash(owner);
  const body = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata.name}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...(owner.spec?.selector?.matchLabels ?? {}), [REVISION_HASH_LABEL]: hash },
      ownerReferences: [ownerRefFor(owner, 'apps/v1', ownerKind)],
    },
    data,
    revision: next,
  };
  try {
    const created = await client.post(resourcePath(Resources.controllerrevisions, owner.metadata.namespace), body);
    return { current: created, all: [...sorted, created] };
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const existing = await client.get(resourcePath(Resources.controllerrevisions, owner.metadata.namespace, body.metadata.name));
    return { current: existing, all: [...sorted, existing] };
  }
}

/** Hash label value of a revision (its name suffix). */
export const revisionHash = (rev: K): string => rev.metadata?.labels?.[REVISION_HASH_LABEL] ?? String(rev.metadata?.name).split('-').pop();

/** Delete the oldest revisions beyond the limit that no live pod still uses. */
export async function truncateHistory(client: RestClient, all: K[], current: K, pods: K[], limit: number): Promise<void> {
  const inUse = new Set(pods.map((p) => p.metadata?.labels?.[REVISION_HASH_LABEL]));
  const removable = all.filter((r) => r !== current && r.metadata?.name !== current.metadata?.name && !inUse.has(revisionHash(r)));
  for (const r of removable.slice(0, Math.max(0, removable.length - limit)))
    await client.delete(resourcePath(Resources.controllerrevisions, r.metadata.namespace, r.metadata.name)).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
}
