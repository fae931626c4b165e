// Builds a built-in kind's Strategy from its parts: ObjectMeta validation with the kind's name
// rule, status reset/keep for kinds with a status subresource, generation initialisation, and
// the kind's own defaulting/validation/table/field selectors. Every strategy in
// registry/<group>/<resource>/strategy.ts goes through defineStrategy.
import type { FieldErrorList } from '../../api/field-errors.js';
import { type NameValidator, nameIsDNSSubdomain } from '../../api/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import type { KObject, ResourceInfo, Strategy, StrategyContext } from './strategy.js';

export const defaultVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface KindDefinition extends Omit<Strategy, 'validate' | 'validateUpdate' | 'status' | 'prepareForCreate' | 'prepareForUpdate'> {
  /** metadata.name rule (default: DNS-1123 subdomain). */
  nameFn?: NameValidator;
  /** Kind-specific create validation (ObjectMeta is checked by defineStrategy). */
  validate?(obj: KObject, ctx: StrategyContext): FieldErrorList;
  /**
   * Kind-specific update checks (immutability...). defineStrategy also runs `validate` on the
   * new object and ObjectMeta update rules.
   */
  validateUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): FieldErrorList;
  prepareForCreate?(obj: KObject, ctx: StrategyContext): void;
  prepareForUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): void;
  /**
   * A status subresource: the main resource resets .status on create and keeps the old one on
   * update; /status keeps .spec. `initialStatus` builds the status a new object starts with.
   */
  status?: {
    initialStatus?(obj: KObject, ctx: StrategyContext): unknown;
    prepareForUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): void;
    validateUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): FieldErrorList;
  };
  /** Set metadata.generation = 1 on create (and the store bumps it on spec change). */
  generation?: boolean;
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

export function defineStrategy(def: KindDefinition): Strategy {
  const info: ResourceInfo = { verbs: defaultVerbs, ...def.info };
  const metaOpts = { namespaced: info.namespaced, nameFn: def.nameFn ?? nameIsDNSSubdomain };
  const { nameFn: _n, status, generation, validate, validateUpdate, prepareForCreate, prepareForUpdate, ...rest } = def;
  const s: Strategy = {
    ...rest,
    info,
    generationOnSpecChange: def.generationOnSpecChange ?? !!generation,
    prepareForCreate(obj, ctx) {
      if (status) {
        const init = status.initialStatus?.(obj, ctx);
        if (init === undefined) delete obj.status;
        else obj.status = init;
      }
      if (generation) (obj.metadata ??= {}).generation = 1;
      prepareForCreate?.(obj, ctx);
    },
    prepareForUpdate(obj, old, ctx) {
      if (status) {
        if (old.status === undefined) delete obj.status;
        else obj.status = clone(old.status);
      }
      prepareForUpdate?.(obj, old, ctx);
    },
    validate(obj, ctx) {
      return [...validateObjectMeta(obj.metadata, metaOpts), ...(validate?.(obj, ctx) ?? [])];
    },
    validateUpdate(obj, old, ctx) {
      return [...validateObjectMetaUpdate(obj.metadata, old.metadata, metaOpts), ...(validate?.(obj, ctx) ?? []), ...(validateUpdate?.(obj, old, ctx) ?? [])];
    },
  };
  if (status) {
    s.status = {
      prepareForUpdate(obj, old, ctx) {
        if (old.spec === undefined) delete obj.spec;
        else obj.spec = clone(old.spec);
        status.prepareForUpdate?.(obj, old, ctx);
      },
      validateUpdate(obj, old, ctx) {
        return [...validateObjectMetaUpdate(obj.metadata, old.metadata, metaOpts), ...(status.validateUpdate?.(obj, old, ctx) ?? [])];
      },
    };
  }
  return s;
}
