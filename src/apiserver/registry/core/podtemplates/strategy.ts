// PodTemplate (core/v1 podtemplates): template defaults and validation as for workloads;
// NAME CONTAINERS IMAGES POD LABELS (no AGE, as Kubernetes prints it).
import { defineStrategy } from '../../define.js';
import { formatMapSelector } from '../../../../api/validation/labels.js';
import { defaultPodTemplate } from '../pods/defaults.js';
import { validatePodTemplateSpec } from '../pods/validation.js';
import { table, col } from '../../printers/columns.js';
import { containersImages } from '../../apps/workload.js';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'PodTemplate',
    listKind: 'PodTemplateList',
    resource: 'podtemplates',
    singular: 'podtemplate',
    namespaced: true,
  },
  defaults: (pt) => defaultPodTemplate(pt.template),
  validate: (pt) => validatePodTemplateSpec(pt.template, 'template'),
  table: table(
    [col('Containers', 'string', 'Names of each container in the template.'), col('Images', 'string', 'Images referenced by each container in the template.'), col('Pod Labels', 'string', 'The labels for the pod template.')],
    (pt) => {
      const [names, images] = containersImages(pt.template?.spec);
      return [names, images, formatMapSelector(pt.template?.metadata?.labels)];
    },
  ),
});
