// PATCH: json-patch, merge-patch, strategic-merge-patch (built-in kinds only, as Kubernetes),
// and apply-patch+yaml (server-side apply). The patch is applied to the current object inside
// the store's optimistic-concurrency loop, so concurrent writers retry instead of conflicting
// (unless the patch itself pins metadata.resourceVersion).
import { parse as parseYaml } from 'yaml';
import type { Handler } from './context.js';
import { respondObject } from './context.js';
import { runAdmission } from '../filters/pipeline.js';
import { ApiError, badRequest, invalid, notFound, unsupportedPatchType } from '../status.js';
import { parseMediaType } from '../negotiation.js';
import type { KObject } from '../registry/strategy.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch.js';
import { PatchError } from '../patch/errors.js';
import { checkUnknownFields, reportUnknownFields } from './field-validation.js';
import { decodeAgainstSchema, pruneUnknownFields } from './schemas.js';
import { InvalidValue, canonicalizeValues } from './canonical-values.js';
import { goValueString, unstructuredConvertError } from './unstructured-convert.js';
import { invalid as fieldInvalid } from '../../api/field-errors.js';
import { serverSideApply, trackManagedFields } from './apply.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const t = parseMediaType(contentType ?? '').type;
  switch (t) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
  }
  throw unsupportedPatchType(t);
}

export function toApiErrorFromPatch(e: unknown): unknown {
  if (e instanceof PatchError) {
    const details = e.causes.length ? { causes: e.causes } : undefined;
    return new ApiError(e.code, e.reason, e.message, details);
  }
  return e;
}

export function decodePatchBody(type: PatchType, body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return type === 'apply' ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(type === 'apply' ? `error decoding YAML: ${(e as Error).message}` : `error decoding patch: ${(e as Error).message}`);
  }
}

/** Apply a (non-apply) patch to an object. */
export function applyPatch(type: PatchType, current: KObject, patch: unknown, builtin: boolean): KObject {
  try {
    switch (type) {
      case 'json':
        return applyJsonPatch(current, patch) as KObject;
      case 'merge':
        return applyMergePatch(current, patch) as KObject;
      case 'strategic':
        if (!builtin) throw unsupportedPatchType('application/strategic-merge-patch+json');
        return applyStrategicMergePatch(current, patch) as KObject;
      default:
        throw badRequest('unsupported patch');
    }
  } catch (e) {
    throw toApiErrorFromPatch(e);
  }
}

export function isBuiltin(h: Handler): boolean {
  const g = h.served.strategy.info.group;
  return !(h.served.strategy as { custom?: boolean }).custom && (g === '' || !g.includes('.') || g.endsWith('.k8s.io'));
}

/**
 * The patched object as kube decodes it into the kind's Go type: a value of the wrong type or a
 * malformed quantity or time is an Invalid `patch` (with no kind or name) and nothing is stored;
 * fields the type does not know are dropped (a warning, or a 400 with fieldValidation=Strict);
 * quantities and times come out canonical. JSON and merge patches are decoded from the patched JSON (the
 * JSON decoder's words, the patched JSON as the value); a strategic merge patch's map goes
 * through the unstructured converter (its words, the patch as Go prints it).
 */
function decodePatched(h: Handler, type: PatchType, patch: unknown, next: KObject): KObject {
  const strategic = type === 'strategic';
  const shown = () => (strategic ? goValueString(patch) : JSON.stringify(next));
  const found = decodeAgainstSchema(h.served.strategy, next);
  const typeError = strategic ? unstructuredConvertError(h.served.strategy, next) : type === 'apply' ? undefined : found.typeError;
  if (typeError) throw invalid('', '', '', [fieldInvalid('patch', shown(), typeError)]);
  if (found.unknown.length) {
    // An apply patch's own unknown fields were reported already.
    if (type !== 'apply') reportUnknownFields(h, found.unknown);
    next = pruneUnknownFields(h.served.strategy, next);
  }
  try {
    return canonicalizeValues(h.served.strategy, next);
  } catch (e) {
    if (e instanceof InvalidValue) throw invalid('', '', '', [fieldInvalid('patch', shown(), e.message)]);
    throw e;
  }
}

/** kube's checkName on the patched object: a patch may not rename it (nor remove its name) or move it. */
function checkName(h: Handler, next: KObject): void {
  const name = next.metadata?.name ?? '';
  if (name !== h.info.name) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${h.info.name})`);
  const ns = next.metadata?.namespace;
  if (h.ctx.namespace && ns && ns !== h.ctx.namespace) throw badRequest(`the namespace of the object (${ns}) does not match the namespace on the URL (${h.ctx.namespace})`);
}

export async function handlePatch(h: Handler): Promise<void> {
  const type = patchTypeOf(h.req.headers['content-type']);
  const patch = decodePatchBody(type, await h.body());
  const s = h.served.store;
  const sub = h.info.subresource;
  if (type === 'apply') {
    if (!h.ctx.fieldManager) throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('error decoding YAML: the apply patch must be an object');
    checkUnknownFields(h, patch as KObject);
  }
  let pinned = false;
  const r = await s.guaranteedUpdate(
    h.ctx,
    h.info.name,
    async (current) => {
      let next: KObject;
      if (type === 'apply') {
        next = serverSideApply(h, current, patch as KObject, h.query.get('force') === 'true', sub);
        next = decodePatched(h, type, patch, next);
        if (!current) {
          next.metadata = next.metadata ?? {};
          next.metadata.name = h.info.name;
        }
      } else {
        if (!current) throw notFound(s.gr, h.info.name);
        next = applyPatch(type, current, patch, isBuiltin(h));
        if (next && typeof next === 'object' && !Array.isArray(next) && !(h.served.strategy as { prune?: unknown }).prune) next = decodePatched(h, type, patch, next);
        next = trackManagedFields(h, current, next, sub);
      }
      if (typeof next !== 'object' || next === null || Array.isArray(next)) throw badRequest('the patch produced something that is not an object');
      const wantRv = next.metadata?.resourceVersion;
      pinned = !!current && !!wantRv && wantRv !== current.metadata?.resourceVersion;
      if (current) checkName(h, next);
      const attrs = { operation: current ? ('UPDATE' as const) : ('CREATE' as const), info: h.info, object: next, oldObject: current, ctx: h.ctx };
      await runAdmission(h.state.pipeline, attrs);
      return attrs.object;
    },
    { dryRun: h.ctx.dryRun, subresource: sub, allowCreate: type === 'apply' && !sub, get pinnedResourceVersion() { return pinned; } },
  );
  respondObject(h, r.created ? 201 : 200, r.obj);
}
