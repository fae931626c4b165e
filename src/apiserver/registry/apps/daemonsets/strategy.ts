// DaemonSet (apps/v1 daemonsets): RollingUpdate maxUnavailable 1 / maxSurge 0, history 10,
// selector/template validation, immutable selector, status subresource and the table.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported } from '../../../../api/field-errors.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { formatMapSelector } from '../../../../api/validation/labels.js';
import { defaultPodTemplate } from '../../core/pods/defaults.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';
import { nonNegative, validateSelectorAndTemplate, validateIntOrPercent, isZeroIntOrPercent, containersImages, formatLabelSelector, containersColumnDescription, imagesColumnDescription } from '../workload.js';

export function defaultDaemonSet(ds: any): void {
  const spec = (ds.spec ??= {});
  const us = (spec.updateStrategy ??= {});
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
}

export const strategy = defineStrategy({
  info: {
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    listKind: 'DaemonSetList',
    resource: 'daemonsets',
    singular: 'daemonset',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
  },
  defaults: defaultDaemonSet,
  status: {
    initialStatus: () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
    validateUpdate(ds) {
      const st = ds.status ?? {};
      const errs: FieldErrorList = [];
      for (const f of ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'])
        errs.push(...nonNegative(st[f], `status.${f}`));
      return errs;
    },
  },
  generation: true,
  validate(ds) {
    const spec = ds.spec ?? {};
    const errs = validateSelectorAndTemplate(spec, 'daemonset', { kind: 'DaemonSet' });
    errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
    errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
    const us = spec.updateStrategy ?? {};
    if (!['RollingUpdate', 'OnDelete'].includes(us.type)) errs.push(notSupported('spec.updateStrategy', us, ['RollingUpdate', 'OnDelete']));
    else if (us.type === 'RollingUpdate') {
      const ru = us.rollingUpdate ?? {};
      errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable', true));
      errs.push(...validateIntOrPercent(ru.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge', true));
      if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge ?? 0))
        errs.push(invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
    return errs;
  },
  validateUpdate: (ds, old) => validateImmutableField(ds.spec?.selector, old.spec?.selector, 'spec.selector'),
  table: table(
    [
      col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
      col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
      col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
      col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
      col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
      col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node.'),
      ageColumn,
      wide('Containers', 'string', containersColumnDescription),
      wide('Images', 'string', imagesColumnDescription),
      wide('Selector', 'string', 'A label query over pods that are managed by the daemon set.'),
    ],
    (ds, now) => {
      const st = ds.status ?? {};
      const [names, images] = containersImages(ds.spec?.template?.spec);
      return [
        st.desiredNumberScheduled ?? 0,
        st.currentNumberScheduled ?? 0,
        st.numberReady ?? 0,
        st.updatedNumberScheduled ?? 0,
        st.numberAvailable ?? 0,
        formatMapSelector(ds.spec?.template?.spec?.nodeSelector),
        age(ds, now),
        names,
        images,
        formatLabelSelector(ds.spec?.selector),
      ];
    },
  ),
});
