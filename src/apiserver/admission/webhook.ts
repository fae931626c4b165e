// MutatingAdmissionWebhook and ValidatingAdmissionWebhook (kube's plugins of those names): the
// webhooks of every Mutating/ValidatingWebhookConfiguration (read from the watch cache, by
// configuration name, webhooks in order) that match the request are sent an AdmissionReview
// v1. Mutating webhooks run one after another and may answer a JSONPatch, applied to the
// object; a webhook with reinvocationPolicy IfNeeded is called once more when a later one
// changed the object. Validating webhooks run in parallel. A refusal is
// `admission webhook "<name>" denied the request: <message>`; a webhook that cannot be called
// (or answers nonsense) fails the request with failurePolicy Fail (500, kube's
// `failed calling webhook` message) and is skipped with Ignore. A dry-run request reaches only
// webhooks without side effects (sideEffects None/NoneOnDryRun), else 400. matchConditions (CEL)
// narrow a webhook further.
import { admissionEnvironment } from '../cel/environment.js';
import { cachedProgram, celErrorMessage } from '../cel/program.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { ApiError, badRequest, internalError } from '../status.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import { jsonEqual } from '../registry/generic/meta.js';
import { logger } from '../../util/log.js';
import { listObjects, oldObjectOf } from './lookup.js';
import { admissionReview, isExempt, webhookMatches } from './webhook-match.js';
import { callWebhook, resolveTarget } from './webhook-client.js';

const log = logger('admission-webhook');

interface Hook {
  config: string;
  webhook: KObject;
}

async function hooksOf(resources: Resources, resource: string): Promise<Hook[]> {
  const configs = [...(await listObjects(resources, ['admissionregistration.k8s.io', 'v1', resource], ''))].sort((x, y) => String(x.metadata?.name).localeCompare(String(y.metadata?.name)));
  return configs.flatMap((c) => (c.webhooks ?? []).map((w: KObject) => ({ config: c.metadata?.name, webhook: w })));
}

/** kube's ToStatusErr: the refusal as the webhook worded it, at least a 400. */
export function deniedError(name: string, status: KObject | undefined): ApiError {
  const base = `admission webhook "${name}" denied the request`;
  const message = status?.message ? `${base}: ${status.message}` : status?.reason ? `${base}: ${status.reason}` : `${base} without explanation`;
  const code = typeof status?.code === 'number' && status.code >= 400 ? status.code : 400;
  return new ApiError(code, status?.reason ?? '', message, status?.details);
}

/**
 * Call one webhook for the request. Returns true when it changed the object (mutating only).
 * Throws the denial, or the call failure when failurePolicy is Fail.
 */
async function invoke(resources: Resources, hook: KObject, a: AdmissionAttributes, mutating: boolean): Promise<boolean> {
  const name = hook.name;
  if (a.ctx.dryRun && !['None', 'NoneOnDryRun'].includes(hook.sideEffects)) throw badRequest(`admission webhook "${name}" does not support dry run`);
  if (a.operation === 'DELETE') await oldObjectOf(resources, a);
  const review = admissionReview(resources, a);
  let response: KObject;
  try {
    const target = await resolveTarget(resources, hook.clientConfig ?? {});
    const answer = await callWebhook(target, hook.clientConfig?.caBundle, hook.timeoutSeconds ?? 10, review);
    if (!answer?.response) throw new Error('expected response.response to be non-nil');
    response = answer.response;
    if (response.uid !== review.request.uid) throw new Error(`expected response.uid="${review.request.uid}", got "${response.uid}"`);
  } catch (e) {
    const msg = `failed calling webhook "${name}": failed to call webhook: ${(e as Error).message}`;
    if (hook.failurePolicy === 'Ignore') {
      log.warn({ webhook: name, err: (e as Error).message }, 'webhook failed open');
      return false;
    }
    throw internalError(new Error(msg));
  }
  for (const w of response.warnings ?? []) a.ctx.warnings.push(String(w));
  if (!response.allowed) throw deniedError(name, response.status);
  if (!mutating || !response.patch) return false;
  if (response.patchType !== 'JSONPatch') throw internalError(new Error(`failed calling webhook "${name}": unsupported patch type "${response.patchType}"`));
  let patched: KObject;
  try {
    patched = applyJsonPatch(a.object, JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'))) as KObject;
  } catch (e) {
    throw internalError(new Error(`failed calling webhook "${name}": ${(e as Error).message}`));
  }
  const changed = !jsonEqual(patched, a.object);
  a.object = patched;
  return changed;
}

/**
 * The webhook's matchConditions (CEL over object, oldObject, request): all must be true. An
 * expression that errors skips the webhook with failurePolicy Ignore and refuses the request
 * with Fail, as kube.
 */
function conditionsHold(resources: Resources, hook: KObject, a: AdmissionAttributes): boolean {
  const conds: KObject[] = hook.matchConditions ?? [];
  if (!conds.length) return true;
  const vars = { object: a.object ?? null, oldObject: a.oldObject ?? null, request: admissionReview(resources, a).request };
  for (const c of conds) {
    try {
      if (cachedProgram(admissionEnvironment(), c.expression).evaluate(vars) !== true) return false;
    } catch (e) {
      if (hook.failurePolicy === 'Ignore') return false;
      throw new ApiError(403, 'Forbidden', `admission webhook "${hook.name}" denied the request: matchCondition "${c.name}" failed: ${celErrorMessage(e)}`);
    }
  }
  return true;
}

export function mutatingWebhook(resources: Resources): AdmissionPlugin {
  return {
    name: 'MutatingAdmissionWebhook',
    async admit(a) {
      if (isExempt(a)) return;
      const hooks = await hooksOf(resources, 'mutatingwebhookconfigurations');
      if (!hooks.length) return;
      const called: number[] = [];
      let lastChange = -1;
      for (let i = 0; i < hooks.length; i++) {
        if (!(await webhookMatches(resources, hooks[i].webhook, a)) || !conditionsHold(resources, hooks[i].webhook, a)) continue;
        called.push(i);
        if (await invoke(resources, hooks[i].webhook, a, true)) lastChange = i;
      }
      // Reinvocation: IfNeeded webhooks that ran before the last change see the final object once more.
      for (const i of called) if (i < lastChange && hooks[i].webhook.reinvocationPolicy === 'IfNeeded') await invoke(resources, hooks[i].webhook, a, true);
    },
  };
}

export function validatingWebhook(resources: Resources): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionWebhook',
    async validate(a) {
      if (isExempt(a)) return;
      const hooks = await hooksOf(resources, 'validatingwebhookconfigurations');
      if (!hooks.length) return;
      const matching: KObject[] = [];
      for (const h of hooks) if ((await webhookMatches(resources, h.webhook, a)) && conditionsHold(resources, h.webhook, a)) matching.push(h.webhook);
      const results = await Promise.allSettled(matching.map((w) => invoke(resources, w, a, false)));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
  };
}
