// CustomResourceDefinition (apiextensions.k8s.io/v1 customresourcedefinitions): ResourceInfo,
// generation, status reset with the storage version recorded, and the CRD defaulting and
// validation of registry/apiextensions/crd-validation.ts (another engineer's schema code);
// NAME CREATED AT.
import { defineStrategy } from '../../define.js';
import { fieldErrorString } from '../../../../api/field-errors.js';
import { nameColumn } from '../../printers/columns.js';
import { setCrdDefaults, validateCrd, validateCrdUpdate } from '../crd-validation.js';

export const strategy = defineStrategy({
  info: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    listKind: 'CustomResourceDefinitionList',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    storagePrefix: 'apiextensions.k8s.io/customresourcedefinitions',
  },
  defaults: setCrdDefaults,
  status: {
    initialStatus(crd) {
      const storage = (crd.spec?.versions ?? []).find((v: any) => v?.storage)?.name;
      return { acceptedNames: { plural: '', kind: '' }, storedVersions: storage ? [storage] : [] };
    },
    prepareForUpdate(crd, old) {
      // Status writers may not change the spec (kept by defineStrategy) nor forget stored versions.
      const stored: string[] = crd.status?.storedVersions ?? [];
      if (!stored.length && old.status?.storedVersions) (crd.status ??= {}).storedVersions = structuredClone(old.status.storedVersions);
    },
  },
  generation: true,
  prepareForUpdate(crd, old) {
    // A new storage version is recorded as stored as soon as it is used.
    const storage = (crd.spec?.versions ?? []).find((v: any) => v?.storage)?.name;
    const stored: string[] = crd.status?.storedVersions ?? [];
    if (storage && crd.status && !stored.includes(storage)) crd.status.storedVersions = [...stored, storage];
    void old;
  },
  validate: validateCrd,
  validateUpdate(crd, old) {
    // validateCrdUpdate repeats the create rules, which defineStrategy already ran.
    const createErrs = new Set(validateCrd(crd).map(fieldErrorString));
    return validateCrdUpdate(crd, old).filter((e) => !createErrs.has(fieldErrorString(e)));
  },
  table: {
    columns: [nameColumn, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }],
    cells: (crd) => [crd.metadata?.name ?? '', crd.metadata?.creationTimestamp ?? ''],
  },
});
