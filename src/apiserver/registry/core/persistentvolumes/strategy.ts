// PersistentVolume (core/v1 persistentvolumes): reclaim policy Retain, volumeMode Filesystem,
// status.phase Pending on create; capacity/access modes/one volume source/reclaim policy
// validation; the volume source is immutable; status subresource; the PV table.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, forbidden } from '../../../../api/field-errors.js';
import { deepEqual } from '../../../../api/validation/object-meta.js';
import { canonicalQuantity } from '../../../../api/quantity.js';
import { validateQuantityValue } from '../pods/validation.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';

export const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const pvSources = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi'];

/** GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order. */
export function accessModesString(modes: string[] | undefined): string {
  const m = new Set(modes ?? []);
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

export function validateAccessModes(modes: any[] | undefined, path: string, requiredMsg = ''): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!(modes ?? []).length) errs.push(required(path, requiredMsg));
  for (const m of modes ?? []) if (!accessModes.includes(m)) errs.push(notSupported(path, m, accessModes));
  if ((modes ?? []).includes('ReadWriteOncePod') && modes!.length > 1) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

const qty = (v: unknown): string => {
  try {
    return v == null ? '0' : canonicalQuantity(String(v));
  } catch {
    return String(v);
  }
};
export { qty as quantityCell };

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'PersistentVolume',
    listKind: 'PersistentVolumeList',
    resource: 'persistentvolumes',
    singular: 'persistentvolume',
    namespaced: false,
    shortNames: ['pv'],
  },
  defaults(pv) {
    const spec = (pv.spec ??= {});
    spec.persistentVolumeReclaimPolicy ||= 'Retain';
    spec.volumeMode ??= 'Filesystem';
    if (spec.hostPath) spec.hostPath.type ??= '';
  },
  status: {
    initialStatus: (_pv, ctx) => ({ phase: 'Pending', lastPhaseTransitionTime: ctx.now().toISOString().replace(/\.\d+Z$/, 'Z') }),
    prepareForUpdate(pv, old, ctx) {
      if (pv.status?.phase !== old.status?.phase) (pv.status ??= {}).lastPhaseTransitionTime = ctx.now().toISOString().replace(/\.\d+Z$/, 'Z');
    },
  },
  validate(pv) {
    const spec = pv.spec ?? {};
    const errs: FieldErrorList = [];
    errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
    const cap = spec.capacity ?? {};
    if (Object.keys(cap).length === 0) errs.push(required('spec.capacity', ''));
    else if (!('storage' in cap) || Object.keys(cap).length > 1) errs.push(notSupported('spec.capacity', cap, ['storage']));
    for (const [k, v] of Object.entries(cap)) errs.push(...validateQuantityValue(v, `spec.capacity[${k}]`));
    const rp = spec.persistentVolumeReclaimPolicy;
    if (rp && !['Delete', 'Recycle', 'Retain'].includes(rp)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', rp, ['Delete', 'Recycle', 'Retain']));
    const sources = pvSources.filter((k) => spec[k] != null);
    if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
    if (spec.hostPath && !spec.hostPath.path) errs.push(required('spec.hostPath.path', ''));
    if (spec.local && !spec.local.path) errs.push(required('spec.local.path', ''));
    if (spec.volumeMode && !['Block', 'Filesystem'].includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
    return errs;
  },
  validateUpdate(pv, old) {
    const errs: FieldErrorList = [];
    for (const k of pvSources) if (!deepEqual(pv.spec?.[k], old.spec?.[k])) {
      errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
      break;
    }
    if (old.spec?.volumeMode && pv.spec?.volumeMode !== old.spec.volumeMode) errs.push(invalid('spec.volumeMode', pv.spec?.volumeMode, 'field is immutable'));
    return errs;
  },
  table: table(
    [
      col('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.'),
      col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
      col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
      col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
      col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
      col('StorageClass', 'string', 'storageClassName is the name of StorageClass to which this persistent volume belongs.'),
      col('VolumeAttributesClass', 'string', 'Name of VolumeAttributesClass to which this persistent volume belongs.'),
      col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
      ageColumn,
      wide('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.'),
    ],
    (pv, now) => {
      const spec = pv.spec ?? {};
      const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
      const phase = pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
      const cls = pv.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName ?? '';
      return [qty(spec.capacity?.storage), accessModesString(spec.accessModes), spec.persistentVolumeReclaimPolicy ?? '', phase, claim, cls, spec.volumeAttributesClassName ?? '<unset>', pv.status?.reason ?? '', age(pv, now), spec.volumeMode ?? '<unset>'];
    },
  ),
});
