// IngressClass (networking.k8s.io/v1 ingressclasses): parameters scope Cluster by default;
// controller required (a domain-prefixed path, at most 250 characters) and immutable;
// NAME CONTROLLER PARAMETERS AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, tooLong } from '../../../../api/field-errors.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { isDNS1123Label } from '../../../../api/validation/names.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const strategy = defineStrategy({
  info: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'IngressClass',
    listKind: 'IngressClassList',
    resource: 'ingressclasses',
    singular: 'ingressclass',
    namespaced: false,
  },
  defaults(ic) {
    const p = ic.spec?.parameters;
    if (p) p.scope ??= 'Cluster';
  },
  validate(ic) {
    const spec = ic.spec ?? {};
    const errs: FieldErrorList = [];
    if (!spec.controller) errs.push(required('spec.controller', ''));
    else {
      if (spec.controller.length > 250) errs.push(tooLong('spec.controller', spec.controller, 250));
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/.+$/.test(spec.controller))
        errs.push(invalid('spec.controller', spec.controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    }
    const p = spec.parameters;
    if (p) {
      if (!p.kind) errs.push(required('spec.parameters.kind', ''));
      if (!p.name) errs.push(required('spec.parameters.name', ''));
      if (!['Cluster', 'Namespace'].includes(p.scope)) errs.push(notSupported('spec.parameters.scope', p.scope, ['Cluster', 'Namespace']));
      if (p.scope === 'Namespace' && !p.namespace) errs.push(required('spec.parameters.namespace', '`parameters.scope` is set to \'Namespace\''));
      if (p.scope === 'Cluster' && p.namespace) errs.push(invalid('spec.parameters.namespace', p.namespace, '`parameters.scope` is set to \'Cluster\''));
      if (p.namespace) for (const m of isDNS1123Label(p.namespace)) errs.push(invalid('spec.parameters.namespace', p.namespace, m));
    }
    return errs;
  },
  validateUpdate: (ic, old) => validateImmutableField(ic.spec?.controller, old.spec?.controller, 'spec.controller'),
  table: table(
    [col('Controller', 'string', 'Controller that is responsible for handling this class'), col('Parameters', 'string', 'A reference to a resource with additional parameters'), ageColumn],
    (ic, now) => {
      const p = ic.spec?.parameters;
      let params = '<none>';
      if (p) params = `${p.kind ?? ''}${p.apiGroup != null ? '.' + p.apiGroup : ''}/${p.name ?? ''}`;
      return [ic.spec?.controller ?? '', params, age(ic, now)];
    },
  ),
});
