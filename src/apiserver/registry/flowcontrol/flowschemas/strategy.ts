// FlowSchema (flowcontrol.apiserver.k8s.io/v1 flowschemas, cluster-scoped, with /status):
// matchingPrecedence defaults to 1000; the spec is validated as kube (flowschema-validation.ts);
// the mandatory 'exempt' and 'catch-all' schemas must keep kube's fixed spec. Table as kube's
// printer: NAME PRIORITYLEVEL MATCHINGPRECEDENCE DISTINGUISHERMETHOD AGE MISSINGPL.
// keelson does not classify requests by FlowSchemas (no APF scheduling; see README).
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid } from '../../../../api/field-errors.js';
import { deepEqual } from '../../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import { validateFlowSchemaSpec } from '../flowschema-validation.js';
import { mandatoryFlowSchema } from '../bootstrap-objects.js';

export const defaultMatchingPrecedence = 1000;

/** "True"/"False" from the Dangling condition the APF controller writes, else "?" (kube's printer). */
function missingPL(fs: any): string {
  const c = (fs.status?.conditions ?? []).find((x: any) => x?.type === 'Dangling');
  return c ? String(c.status ?? '') : '?';
}

export const strategy = defineStrategy({
  info: {
    group: 'flowcontrol.apiserver.k8s.io',
    version: 'v1',
    kind: 'FlowSchema',
    listKind: 'FlowSchemaList',
    resource: 'flowschemas',
    singular: 'flowschema',
    namespaced: false,
  },
  generation: true,
  status: {},
  defaults(fs) {
    const spec = (fs.spec ??= {});
    if (!spec.matchingPrecedence) spec.matchingPrecedence = defaultMatchingPrecedence;
  },
  validate(fs) {
    const name: string = fs.metadata?.name ?? '';
    const errs: FieldErrorList = validateFlowSchemaSpec(name, fs.spec);
    const mand = mandatoryFlowSchema(name);
    if (mand && !deepEqual(fs.spec, mand.spec)) errs.push(invalid('spec', fs.spec, `spec of '${name}' must equal the fixed value`));
    return errs;
  },
  table: table(
    [
      col('PriorityLevel', 'string', '`name` is the name of the priority level configuration being referenced Required.'),
      col('MatchingPrecedence', 'string', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.'),
      col('DistinguisherMethod', 'string', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.'),
      ageColumn,
      col('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
    ],
    (fs, now) => [fs.spec?.priorityLevelConfiguration?.name ?? '', fs.spec?.matchingPrecedence ?? 0, fs.spec?.distinguisherMethod?.type ?? '<none>', age(fs, now), missingPL(fs)],
  ),
});
