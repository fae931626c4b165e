// Label and field selection of objects (the generic store's SelectionPredicate).
import type { KObject, Strategy } from '../strategy.js';
import { parseLabelSelector, matchLabels, SelectorParseError, type LabelSelector } from '../../../api/selectors/labels.js';
import { parseFieldSelector, matchFields, type FieldSelector } from '../../../api/selectors/fields.js';
import { badRequest } from '../../status.js';

export interface Predicate {
  labels: LabelSelector;
  fields: FieldSelector;
  empty: boolean;
  /** The object named by a `metadata.name=x` field selector, for single-key reads. */
  name?: string;
  matches(obj: KObject): boolean;
}

export function makePredicate(strategy: Strategy, labelSelector: string | null | undefined, fieldSelector: string | null | undefined): Predicate {
  let labels: LabelSelector;
  let fields: FieldSelector;
  try {
    labels = parseLabelSelector(labelSelector ?? '');
  } catch (e) {
    throw badRequest(`unable to parse requirement: ${(e as SelectorParseError).message}`.replace('unable to parse requirement: unable to parse requirement:', 'unable to parse requirement:'));
  }
  try {
    fields = parseFieldSelector(fieldSelector ?? '');
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  const extra = strategy.fieldSelectors ?? {};
  const getters: Record<string, (o: KObject) => string | undefined> = {
    'metadata.name': (o) => o.metadata?.name,
    'metadata.namespace': (o) => o.metadata?.namespace ?? '',
    ...extra,
  };
  for (const f of fields) if (!getters[f.field]) throw badRequest(`field label not supported: ${f.field}`);
  const nameReq = fields.find((f) => f.field === 'metadata.name' && f.op === '=');
  return {
    labels,
    fields,
    empty: labels.length === 0 && fields.length === 0,
    name: nameReq?.value,
    matches(obj: KObject): boolean {
      if (labels.length && !matchLabels(labels, obj.metadata?.labels)) return false;
      if (fields.length && !matchFields(fields, (f) => getters[f](obj))) return false;
      return true;
    },
  };
}
