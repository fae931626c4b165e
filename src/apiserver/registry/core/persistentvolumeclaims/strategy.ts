// PersistentVolumeClaim (core/v1 persistentvolumeclaims): volumeMode Filesystem, status.phase
// Pending; access modes and storage request validation; the spec is immutable except
// resources.requests (expansion), volumeName binding and volumeAttributesClassName; status
// subresource; the PVC table.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, forbidden, notSupported } from '../../../../api/field-errors.js';
import { deepEqual } from '../../../../api/validation/object-meta.js';
import { tryParseQuantity, compareQuantities } from '../../../../api/quantity.js';
import { validateQuantityValue } from '../pods/validation.js';
import { defaultPVCSpec } from '../pods/defaults.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';
import { accessModesString, validateAccessModes, quantityCell } from '../persistentvolumes/strategy.js';

export function validatePVCSpec(spec: any, path = 'spec'): FieldErrorList {
  const errs: FieldErrorList = [];
  errs.push(...validateAccessModes(spec.accessModes, path + '.accessModes', 'at least 1 access mode is required'));
  const storage = spec.resources?.requests?.storage;
  if (storage == null) errs.push(required(`${path}.resources[storage]`, ''));
  else {
    const e = validateQuantityValue(storage, `${path}.resources.requests[storage]`);
    errs.push(...e);
    if (!e.length && tryParseQuantity(storage)!.nano === 0n) errs.push(invalid(`${path}.resources.requests[storage]`, storage, 'must be greater than zero'));
  }
  if (spec.volumeMode && !['Block', 'Filesystem'].includes(spec.volumeMode)) errs.push(notSupported(path + '.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  if (spec.storageClassName) {
    // storageClassName is a DNS subdomain when set
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(spec.storageClassName)) errs.push(invalid(path + '.storageClassName', spec.storageClassName, 'must be a valid DNS subdomain'));
  }
  return errs;
}

const claimClass = (pvc: any): string => pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc.spec?.storageClassName ?? '';

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    listKind: 'PersistentVolumeClaimList',
    resource: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    namespaced: true,
    shortNames: ['pvc'],
  },
  defaults: (pvc) => defaultPVCSpec((pvc.spec ??= {})),
  status: { initialStatus: () => ({ phase: 'Pending' }) },
  validate: (pvc) => validatePVCSpec(pvc.spec ?? {}),
  validateUpdate(pvc, old) {
    const a = structuredClone(pvc.spec ?? {});
    const b = structuredClone(old.spec ?? {});
    const errs: FieldErrorList = [];
    const bound = !!b.volumeName;
    if (!b.volumeName && a.volumeName) b.volumeName = a.volumeName;
    if (bound) {
      const na = tryParseQuantity(a.resources?.requests?.storage);
      const nb = tryParseQuantity(b.resources?.requests?.storage);
      if (na && nb && compareQuantities(na, nb) < 0 && !old.status?.allocatedResources)
        errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
      b.resources = a.resources;
    }
    a.volumeAttributesClassName = b.volumeAttributesClassName;
    if (!deepEqual(a, b)) errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    return errs;
  },
  table: table(
    [
      col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
      col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
      col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
      col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
      col('StorageClass', 'string', 'storageClassName is the name of the StorageClass required by the claim.'),
      col('VolumeAttributesClass', 'string', 'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
      ageColumn,
      wide('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.'),
    ],
    (pvc, now) => {
      const spec = pvc.spec ?? {};
      const phase = pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
      let capacity = '';
      let modes = '';
      if (spec.volumeName) {
        modes = accessModesString(pvc.status?.accessModes);
        capacity = quantityCell(pvc.status?.capacity?.storage);
      }
      return [phase, spec.volumeName ?? '', capacity, modes, claimClass(pvc), spec.volumeAttributesClassName || '<unset>', age(pvc, now), spec.volumeMode ?? '<unset>'];
    },
  ),
});
