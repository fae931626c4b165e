// VolumeAttachment (storage.k8s.io/v1 volumeattachments): attacher, node and exactly one source
// required; spec immutable; status subresource (attached false on create);
// NAME ATTACHER PV NODE ATTACHED AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, required, invalid } from '../../../../api/field-errors.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'VolumeAttachment',
    listKind: 'VolumeAttachmentList',
    resource: 'volumeattachments',
    singular: 'volumeattachment',
    namespaced: false,
  },
  status: { initialStatus: () => ({ attached: false }) },
  validate(va) {
    const spec = va.spec ?? {};
    const errs: FieldErrorList = [];
    if (!spec.attacher) errs.push(required('spec.attacher', ''));
    if (!spec.nodeName) errs.push(required('spec.nodeName', ''));
    const src = spec.source ?? {};
    const n = ['persistentVolumeName', 'inlineVolumeSpec'].filter((k) => src[k] != null).length;
    if (n === 0) errs.push(required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
    else if (n > 1) errs.push(invalid('spec.source', src, 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
    return errs;
  },
  validateUpdate: (va, old) => validateImmutableField(va.spec, old.spec, 'spec'),
  table: table(
    [col('Attacher', 'string', 'Attacher indicates the name of the volume driver that MUST handle this request.'), col('PV', 'string', 'Name of the persistent volume to attach.'), col('Node', 'string', 'The node that the volume should be attached to.'), col('Attached', 'boolean', 'Indicates the volume is successfully attached.'), ageColumn],
    (va, now) => [va.spec?.attacher ?? '', va.spec?.source?.persistentVolumeName ?? '', va.spec?.nodeName ?? '', !!va.status?.attached, age(va, now)],
  ),
});
