// Pod subresources: binding (the scheduler's POST Binding sets spec.nodeName), eviction (a
// policy/v1 Eviction deletes the pod within its PodDisruptionBudget, eviction.ts), and the
// node-served ones: log, exec, attach and portforward are proxied to the pod's kubelet
// (pod-proxy.ts); proxy goes to the pod itself (proxy.ts).
import type { Handler } from './context.js';
import { writeJson } from '../http-util.js';
import { ApiError, badRequest, conflict, invalid, notFound, successStatus } from '../status.js';
import { respondObject } from './context.js';
import { handlePodEviction } from './eviction.js';
import { handlePodAttach, handlePodExec, handlePodLog, handlePodPortForward } from './pod-proxy.js';
import { applyPatch, decodePatchBody, patchTypeOf } from './patch.js';
import { forbidden as fieldForbidden, required as fieldRequired } from '../../api/field-errors.js';
import { rfc3339 } from '../registry/generic/meta.js';
import type { KObject } from '../registry/strategy.js';

export async function bindPod(h: Handler, podName: string, binding: KObject): Promise<void> {
  const pods = h.state.resources.storeFor('', 'pods');
  if (!pods) throw notFound({ group: '', resource: 'pods' }, podName);
  const target = binding.target ?? {};
  if (!target.name) throw badRequest('Binding.target.name: Required value');
  if (target.kind && target.kind !== 'Node') throw badRequest(`Binding.target.kind: Unsupported value: "${target.kind}": supported values: "Node"`);
  const gr = { group: '', resource: 'pods/binding' };
  await pods.guaranteedUpdate(h.ctx, podName, (pod) => {
    if (!pod) throw notFound({ group: '', resource: 'pods' }, podName);
    if (pod.metadata?.deletionTimestamp) throw conflict(gr, podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict(gr, podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    const uid = binding.metadata?.uid;
    if (uid && uid !== pod.metadata?.uid) throw conflict(gr, podName, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid}`);
    pod.spec = pod.spec ?? {};
    pod.spec.nodeName = target.name;
    pod.status = pod.status ?? {};
    const conds: KObject[] = (pod.status.conditions ?? []).filter((c: KObject) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(h.ctx.now()) });
    pod.status.conditions = conds;
    const ann = binding.metadata?.annotations;
    if (ann) pod.metadata!.annotations = { ...(pod.metadata!.annotations ?? {}), ...ann };
    return pod;
  }, { dryRun: h.ctx.dryRun, subresource: 'binding' });
  writeJson(h.res, 201, successStatus(undefined, 201));
}

export async function handlePodSubresource(h: Handler): Promise<void> {
  const sub = h.info.subresource;
  const name = h.info.name;
  if (sub === 'binding') {
    if (h.info.verb !== 'create') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const b = await h.object();
    if (b.metadata?.name && b.metadata.name !== name) throw badRequest(`Binding.metadata.name: Invalid value: "${b.metadata.name}": must match the pod name`);
    await bindPod(h, name, b);
    return;
  }
  if (sub === 'eviction') return handlePodEviction(h, name);
  if (sub === 'ephemeralcontainers') return handleEphemeralContainers(h);
  if (['log', 'exec', 'attach', 'portforward'].includes(sub)) {
    const pod = await h.served.store.get(h.ctx.namespace, name);
    if (sub === 'log') return handlePodLog(h, pod);
    if (sub === 'exec') return handlePodExec(h, pod);
    if (sub === 'attach') return handlePodAttach(h, pod);
    return handlePodPortForward(h, pod);
  }
  throw notFound({ group: '', resource: `pods/${sub}` }, name);
}

/**
 * pods/ephemeralcontainers (`kubectl debug`): GET the pod; PUT/PATCH change only
 * spec.ephemeralContainers, which may only gain containers (existing ones are immutable).
 */
async function handleEphemeralContainers(h: Handler): Promise<void> {
  const pods = h.served.store;
  const name = h.info.name;
  if (h.info.verb === 'get') {
    respondObject(h, 200, await pods.get(h.ctx.namespace, name));
    return;
  }
  let compute: (cur: KObject) => KObject;
  if (h.info.verb === 'patch') {
    const type = patchTypeOf(h.req.headers['content-type']);
    if (type === 'apply') throw badRequest('server-side apply is not supported on pods/ephemeralcontainers');
    const patch = decodePatchBody(type, await h.body());
    compute = (cur) => applyPatch(type, cur, patch, true);
  } else if (h.info.verb === 'update') {
    const body = await h.object();
    compute = () => body;
  } else throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const r = await pods.guaranteedUpdate(
    h.ctx,
    name,
    (cur) => {
      if (!cur) throw notFound(pods.gr, name);
      const want: KObject[] = compute(structuredClone(cur)).spec?.ephemeralContainers ?? [];
      const have: KObject[] = cur.spec?.ephemeralContainers ?? [];
      const errs = [];
      // ValidatePodEphemeralContainersUpdate's words (kube appends a diff of the change to the
      // second message; we do not).
      for (const c of have) {
        const same = want.find((w) => w.name === c.name);
        if (!same) errs.push(fieldForbidden('spec.ephemeralContainers', `existing ephemeral containers "${c.name}" may not be removed`));
        else if (JSON.stringify(same) !== JSON.stringify(c)) errs.push(fieldForbidden(`spec.ephemeralContainers[${c.name}]`, `existing ephemeral containers "${c.name}" may not be changed`));
      }
      for (const [i, c] of want.entries()) {
        if (!c.name) errs.push(fieldRequired(`spec.ephemeralContainers[${i}].name`));
        if (!c.image) errs.push(fieldRequired(`spec.ephemeralContainers[${i}].image`));
      }
      if (errs.length) throw invalid('', 'Pod', name, errs);
      const next = structuredClone(cur);
      next.spec = { ...(next.spec ?? {}), ephemeralContainers: want.map((c) => ({ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: c.image?.endsWith(':latest') || !c.image?.includes(':') ? 'Always' : 'IfNotPresent', ...c })) };
      if (!want.length) delete next.spec.ephemeralContainers;
      return next;
    },
    { dryRun: h.ctx.dryRun, subresource: 'ephemeralcontainers' },
  );
  respondObject(h, 200, r.obj);
}
