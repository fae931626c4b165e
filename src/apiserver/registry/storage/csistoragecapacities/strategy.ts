// CSIStorageCapacity (storage.k8s.io/v1 csistoragecapacities, namespaced): the capacity a CSI
// driver reports for one storage class in one topology segment. As ValidateCSIStorageCapacity:
// storageClassName a DNS-1123 subdomain, nodeTopology a valid label selector, capacity and
// maximumVolumeSize non-negative quantities; nodeTopology and storageClassName are immutable
// (they are the inputs of the driver's GetCapacity call). NAME STORAGECLASSNAME CAPACITY (no Age).
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid } from '../../../../api/field-errors.js';
import { isDNS1123Subdomain } from '../../../../api/validation/names.js';
import { validateLabelSelector } from '../../../../api/validation/labels.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { canonicalQuantity, tryParseQuantity } from '../../../../api/quantity.js';
import { validateQuantityValue } from '../../core/pods/validation.js';
import { table, col } from '../../printers/columns.js';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSIStorageCapacity',
    listKind: 'CSIStorageCapacityList',
    resource: 'csistoragecapacities',
    singular: 'csistoragecapacity',
    namespaced: true,
  },
  validate(c) {
    const errs: FieldErrorList = [];
    const cls = typeof c.storageClassName === 'string' ? c.storageClassName : '';
    for (const m of isDNS1123Subdomain(cls)) errs.push(invalid('storageClassName', cls, m));
    errs.push(...validateLabelSelector(c.nodeTopology, 'nodeTopology'));
    for (const f of ['capacity', 'maximumVolumeSize']) if (c[f] != null) errs.push(...validateQuantityValue(c[f], f));
    return errs;
  },
  validateUpdate: (c, old) => [...validateImmutableField(c.nodeTopology, old.nodeTopology, 'nodeTopology'), ...validateImmutableField(c.storageClassName, old.storageClassName, 'storageClassName')],
  table: table(
    [
      col('StorageClassName', 'string', 'storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is immutable.'),
      col('Capacity', 'string', 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.'),
    ],
    (c) => [c.storageClassName ?? '', c.capacity != null && tryParseQuantity(c.capacity) ? canonicalQuantity(String(c.capacity)) : '<unset>'],
  ),
});
