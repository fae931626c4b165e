// pods/eviction (policy/v1 Eviction, what `kubectl drain` posts): the pod is deleted unless that
// would break its PodDisruptionBudget, as kube-apiserver's eviction REST does it. Pods that are
// Pending, finished or already deleting go at once; a pod under no budget goes at once; more
// than one budget is a 500; otherwise the budget must have been processed by the disruption
// controller (observedGeneration) and allow a disruption, which is taken from it
// (disruptionsAllowed - 1, the pod recorded in disruptedPods) before the pod is deleted. An
// unready pod is deleted without taking a disruption when the budget is healthy anyway (or its
// unhealthyPodEvictionPolicy is AlwaysAllow). Refusals are 429 TooManyRequests with a
// DisruptionBudget cause, which kubectl drain retries.
import type { Handler } from './context.js';
import { writeJson } from '../http-util.js';
import { ApiError, badRequest, conflict, forbidden, successStatus } from '../status.js';
import { deleteObject, parseDeleteOptions, type DeleteOptions } from '../registry/generic/delete.js';
import { listObjects } from '../admission/lookup.js';
import { matchesLabelSelector } from '../../api/selectors/selector-objects.js';
import { rfc3339 } from '../registry/generic/meta.js';
import type { KObject } from '../registry/strategy.js';

const VIOLATES = "Cannot evict pod as it would violate the pod's disruption budget.";

/** The disruption-controller's cap on recorded disruptions not yet confirmed (MaxDisruptedPodSize). */
const MAX_DISRUPTED_PODS = 2000;

function budgetRefusal(cause: string, retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'TooManyRequests', VIOLATES, { ...(retryAfterSeconds ? { retryAfterSeconds } : {}), causes: [{ reason: 'DisruptionBudget', message: cause }] }, retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : undefined);
}

const isReady = (pod: KObject): boolean => (pod.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True');

/** canIgnorePDB: the pod's disruption already happened, or it never ran. */
function canIgnoreBudget(pod: KObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata?.deletionTimestamp;
}

export async function handlePodEviction(h: Handler, name: string): Promise<void> {
  if (h.info.verb !== 'create') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const ev = await h.object();
  if (ev.kind && ev.kind !== 'Eviction') throw badRequest(`the kind in the data (${ev.kind}) does not match the expected kind (Eviction)`);
  const pods = h.served.store;
  const opts = parseDeleteOptions(ev.deleteOptions, new URLSearchParams());
  if (opts.dryRun?.includes('All')) h.ctx.dryRun = true;
  const pod = await pods.get(h.ctx.namespace, name);
  if (!canIgnoreBudget(pod)) await takeDisruption(h, pod);
  if (!h.ctx.dryRun) await addDisruptionTarget(h, name, opts);
  await deleteObject(pods, h.ctx, name, opts);
  writeJson(h.res, 201, successStatus(undefined, 201));
}

/**
 * Before the delete, the pod says why it goes (kube's addConditionAndDeletePod, PodDisruptionConditions
 * GA in 1.31): condition DisruptionTarget=True, reason EvictionByEvictionAPI, written through the
 * status subresource. The eviction's preconditions are checked against the pod before that write
 * and a resourceVersion precondition then moves to the pod's new version, so the delete still holds.
 */
async function addDisruptionTarget(h: Handler, name: string, opts: DeleteOptions): Promise<void> {
  const pods = h.served.store;
  const gr = pods.gr;
  const { obj } = await pods.guaranteedUpdate(
    h.ctx,
    name,
    (cur) => {
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur!.metadata?.uid)
        throw conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(cur!.metadata?.uid)}`);
      if (pre?.resourceVersion && pre.resourceVersion !== cur!.metadata?.resourceVersion)
        throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(cur!.metadata?.resourceVersion)}`);
      const status: KObject = (cur!.status ??= {});
      const conds: KObject[] = status.conditions ?? [];
      const old = conds.find((c) => c.type === 'DisruptionTarget');
      const cond = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : rfc3339(h.ctx.now()), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
      status.conditions = old ? conds.map((c) => (c === old ? cond : c)) : [...conds, cond];
      return cur!;
    },
    { subresource: 'status' },
  );
  if (opts.preconditions?.resourceVersion) opts.preconditions.resourceVersion = obj.metadata?.resourceVersion;
}

/** Checks the pod's budget and records the disruption on it; throws when the eviction must wait. */
async function takeDisruption(h: Handler, pod: KObject): Promise<void> {
  const ns = h.ctx.namespace;
  const all = await listObjects(h.state.resources, ['policy', 'v1', 'poddisruptionbudgets'], ns);
  const pdbs = all.filter((b) => matchesLabelSelector(b.spec?.selector, pod.metadata?.labels));
  if (pdbs.length === 0) return;
  if (pdbs.length > 1) throw new ApiError(500, '', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const store = h.state.resources.storeFor('policy', 'poddisruptionbudgets')!;
  const podName = String(pod.metadata?.name);
  if (!isReady(pod)) {
    // An unready pod does not count as healthy: evicting it takes nothing from a budget that is
    // healthy anyway, or whose policy says unhealthy pods may always go.
    const st: KObject = pdbs[0].status ?? {};
    if (pdbs[0].spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return;
    if ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0) return;
  }
  await store.guaranteedUpdate(
    h.ctx,
    String(pdbs[0].metadata?.name),
    (cur) => {
      if (!cur) throw budgetRefusal(`The disruption budget ${String(pdbs[0].metadata?.name)} is still being processed by the server.`, 10);
      const st: KObject = cur.status ?? {};
      const pdbName = String(cur.metadata?.name);
      const generation: number = cur.metadata?.generation ?? 0;
      if ((st.observedGeneration ?? 0) < generation) throw budgetRefusal(`The disruption budget ${pdbName} is still being processed by the server.`, 10);
      if ((st.disruptionsAllowed ?? 0) < 0) throw forbidden({ group: 'policy', resource: 'poddisruptionbudget' }, pdbName, 'pdb disruptions allowed is negative');
      if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS)
        throw forbidden({ group: 'policy', resource: 'poddisruptionbudget' }, pdbName, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
      if ((st.disruptionsAllowed ?? 0) === 0) throw budgetRefusal(`The disruption budget ${pdbName} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`, 0);
      const now = rfc3339(h.ctx.now());
      st.disruptionsAllowed -= 1;
      if (st.disruptionsAllowed === 0) {
        const conds: KObject[] = st.conditions ?? [];
        const old = conds.find((c) => c.type === 'DisruptionAllowed');
        st.conditions = [
          ...conds.filter((c) => c.type !== 'DisruptionAllowed'),
          { type: 'DisruptionAllowed', status: 'False', observedGeneration: generation, lastTransitionTime: old?.status === 'False' ? old.lastTransitionTime : now, reason: 'InsufficientPods', message: '' },
        ];
      }
      st.disruptedPods = { ...(st.disruptedPods ?? {}), [podName]: now };
      cur.status = st;
      return cur;
    },
    { dryRun: h.ctx.dryRun, subresource: 'status' },
  );
}
