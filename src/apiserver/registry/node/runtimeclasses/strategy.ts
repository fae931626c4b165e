// RuntimeClass (node.k8s.io/v1 runtimeclasses), kube's pkg/apis/node/validation: the handler is a
// DNS-1123 label (so an empty one is invalid too) and immutable; overhead.podFixed is checked
// like container limits; scheduling.nodeSelector like labels and scheduling.tolerations like a
// pod's, with no two tolerations alike in key/operator/value/effect. NAME HANDLER AGE.
// The RuntimeClass admission plugin (admission/runtime-class.ts) applies a class to pods.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, duplicate, invalid } from '../../../../api/field-errors.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { validateLabels } from '../../../../api/validation/labels.js';
import { isDNS1123Label } from '../../../../api/validation/names.js';
import { validateResourceRequirements, validateTolerations } from '../../core/pods/validation.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

function validateScheduling(s: any): FieldErrorList {
  const errs: FieldErrorList = [];
  if (s.nodeSelector != null) errs.push(...validateLabels(s.nodeSelector, 'scheduling.nodeSelector'));
  const tols: any[] = Array.isArray(s.tolerations) ? s.tolerations : [];
  errs.push(...validateTolerations(tols, 'scheduling.tolerations'));
  const seen = new Set<string>();
  tols.forEach((t, i) => {
    const key = JSON.stringify([t?.key ?? '', t?.operator ?? '', t?.value ?? '', t?.effect ?? '']);
    if (seen.has(key)) errs.push(duplicate(`scheduling.tolerations[${i}]`, t));
    seen.add(key);
  });
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: 'node.k8s.io',
    version: 'v1',
    kind: 'RuntimeClass',
    listKind: 'RuntimeClassList',
    resource: 'runtimeclasses',
    singular: 'runtimeclass',
    namespaced: false,
  },
  validate(rc) {
    const errs: FieldErrorList = [];
    const handler = typeof rc.handler === 'string' ? rc.handler : '';
    for (const m of isDNS1123Label(handler)) errs.push(invalid('handler', handler, m));
    // kube reuses ValidateResourceRequirements with the podFixed map as the limits.
    if (rc.overhead) errs.push(...validateResourceRequirements({ limits: rc.overhead.podFixed }, 'overhead'));
    if (rc.scheduling) errs.push(...validateScheduling(rc.scheduling));
    return errs;
  },
  validateUpdate: (rc, old) => validateImmutableField(rc.handler, old.handler, 'handler'),
  table: table([col('Handler', 'string', 'Handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.'), ageColumn], (rc, now) => [rc.handler ?? '', age(rc, now)]),
});
