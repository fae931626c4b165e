// Create-only virtual resources (kube's REST storage that implements only Create and stores
// nothing): authentication.k8s.io TokenReview and SelfSubjectReview, authorization.k8s.io
// SubjectAccessReview and friends. A strategy built by defineVirtual answers POST with the object
// its `virtualCreate` computes (the request with .status filled); there is nothing to get, list
// or watch. As in kube, the request object goes through defaulting, its own validation and
// admission, and the answer is 201 Created. ObjectMeta is not validated (reviews carry no name).
import type { Handler } from './context.js';
import { respondObject } from './context.js';
import { checkTypeMeta } from './write.js';
import { runAdmission } from '../filters/pipeline.js';
import { invalid } from '../status.js';
import type { FieldErrorList } from '../../api/field-errors.js';
import type { KObject, ResourceInfo, Strategy, StrategyContext } from '../registry/strategy.js';

export interface VirtualDefinition {
  info: Omit<ResourceInfo, 'verbs'>;
  defaults?(obj: KObject): void;
  /** Checks of the request object (FieldErrors -> 422 Invalid with kube's message). */
  validate?(obj: KObject, ctx: StrategyContext): FieldErrorList;
  /** Computes the answer from the validated request (typically the request with .status set). */
  create(obj: KObject, h: Handler): Promise<KObject> | KObject;
}

export interface VirtualStrategy extends Strategy {
  virtualCreate(obj: KObject, h: Handler): Promise<KObject> | KObject;
}

export function defineVirtual(def: VirtualDefinition): VirtualStrategy {
  return {
    info: { ...def.info, verbs: ['create'] },
    defaults: def.defaults,
    validate: def.validate ?? (() => []),
    virtualCreate: def.create,
  };
}

export function isVirtual(s: Strategy): s is VirtualStrategy {
  return typeof (s as Partial<VirtualStrategy>).virtualCreate === 'function';
}

/** POST to a virtual resource: decode, default, validate, admit, compute, answer 201. */
export async function handleVirtualCreate(h: Handler): Promise<void> {
  const st = h.served.strategy as VirtualStrategy;
  const obj = await h.object();
  checkTypeMeta(h, obj);
  st.defaults?.(obj);
  const errs = st.validate?.(obj, h.ctx) ?? [];
  if (errs.length) throw invalid(st.info.group, st.info.kind, obj.metadata?.name ?? '', errs);
  const attrs = { operation: 'CREATE' as const, info: h.info, object: obj, ctx: h.ctx };
  await runAdmission(h.state.pipeline, attrs);
  const out = await st.virtualCreate(attrs.object, h);
  const apiVersion = st.info.group ? `${st.info.group}/${st.info.version}` : st.info.version;
  respondObject(h, 201, { kind: st.info.kind, apiVersion, ...out, metadata: { creationTimestamp: null, ...(out.metadata ?? {}) } });
}
