// Deployment (apps/v1 deployments): SetDefaults_Deployment, ValidateDeployment(Update) with an
// immutable selector, generation bumps on spec or annotation changes, status and scale
// subresources, and the deployments table.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, forbidden } from '../../../../api/field-errors.js';
import { deepEqual, validateImmutableField } from '../../../../api/validation/object-meta.js';
import { defaultPodTemplate } from '../../core/pods/defaults.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';
import { nonNegative, validateSelectorAndTemplate, validateIntOrPercent, isZeroIntOrPercent, containersImages, formatLabelSelector, containersColumnDescription, imagesColumnDescription, selectorColumnDescription } from '../workload.js';

export function defaultDeployment(d: any): void {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

function validateStrategy(s: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!s?.type) return [notSupported(path, s ?? {}, ['Recreate', 'RollingUpdate'])];
  if (s.type === 'Recreate') {
    if (s.rollingUpdate != null) errs.push(forbidden(path + '.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === 'RollingUpdate') {
    const ru = s.rollingUpdate;
    if (ru == null) errs.push(required(path + '.rollingUpdate', 'this should be defaulted and never be nil'));
    else {
      errs.push(...validateIntOrPercent(ru.maxUnavailable, path + '.rollingUpdate.maxUnavailable', true));
      errs.push(...validateIntOrPercent(ru.maxSurge, path + '.rollingUpdate.maxSurge'));
      if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge))
        errs.push(invalid(path + '.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  } else {
    errs.push(notSupported(path, s, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeploymentSpec(d: any): FieldErrorList {
  const spec = d.spec ?? {};
  const errs: FieldErrorList = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateSelectorAndTemplate(spec, 'deployment'));
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.paused != null && typeof spec.paused !== 'boolean') errs.push(invalid('spec.paused', spec.paused, 'must be a boolean'));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  if (spec.rollbackTo != null) errs.push(forbidden('spec.rollbackTo', 'rollbackTo is not supported in apps/v1'));
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    listKind: 'DeploymentList',
    resource: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
  },
  defaults: defaultDeployment,
  status: {
    initialStatus: () => ({}),
    validateUpdate(d) {
      const st = d.status ?? {};
      const errs: FieldErrorList = [];
      for (const f of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration', 'collisionCount'])
        errs.push(...nonNegative(st[f], `status.${f}`));
      if ((st.updatedReplicas ?? 0) > (st.replicas ?? 0)) errs.push(invalid('status.updatedReplicas', st.updatedReplicas, 'cannot be greater than status.replicas'));
      if ((st.readyReplicas ?? 0) > (st.replicas ?? 0)) errs.push(invalid('status.readyReplicas', st.readyReplicas, 'cannot be greater than status.replicas'));
      if ((st.availableReplicas ?? 0) > (st.replicas ?? 0)) errs.push(invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than status.replicas'));
      if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) errs.push(invalid('status.availableReplicas', st.availableReplicas, 'cannot be greater than readyReplicas'));
      return errs;
    },
  },
  generation: true,
  // The generation is managed here: spec and annotation changes bump it (annotations are
  // copied to the replica sets), so the store's spec-only rule is switched off.
  generationOnSpecChange: false,
  prepareForUpdate(d, old) {
    const changed = !deepEqual(d.spec, old.spec) || !deepEqual(d.metadata?.annotations, old.metadata?.annotations);
    (d.metadata ??= {}).generation = (old.metadata?.generation ?? 1) + (changed ? 1 : 0);
  },
  validate: validateDeploymentSpec,
  validateUpdate: (d, old) => validateImmutableField(d.spec?.selector, old.spec?.selector, 'spec.selector'),
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' },
  table: table(
    [
      col('Ready', 'string', 'Number of the pod with ready state'),
      col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      ageColumn,
      wide('Containers', 'string', containersColumnDescription),
      wide('Images', 'string', imagesColumnDescription),
      wide('Selector', 'string', selectorColumnDescription),
    ],
    (d, now) => {
      const st = d.status ?? {};
      const [names, images] = containersImages(d.spec?.template?.spec);
      return [`${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age(d, now), names, images, formatLabelSelector(d.spec?.selector)];
    },
  ),
});
