// CustomResourceDefinitions and custom resources: what the apiserver core imports.
//
//   setCrdDefaults(crd); const errs = validateCrd(crd)            // on CRD create (validateCrdUpdate on update)
//   crd.status = computeCrdStatus(crd, otherCrds)                   // names accepted + established
//   const strategy = strategyForCustomResource(crd, 'v1')           // serve the custom resources
//   const unknown = pruneCustomResource(crd, 'v1', body)            // fieldValidation Warn/Strict
//
// The CRD resource's own strategy (metadata) is customresourcedefinitions/strategy.ts; the
// OpenAPI documents for custom resources come from OpenApiService.addCrd (../../openapi).
export { setCrdDefaults, validateCrd, validateCrdUpdate, validateCrdNames, validateStructuralSchema, computeCrdStatus, isEstablished } from './crd-validation.js';
export { strategyForCustomResource, strategiesForCrd, pruneCustomResource, convertCustomResource, crdTable, crdVersion, crdVersionSchema } from './crd-strategy.js';
export { resourceInfoForCrd, servedVersions } from './crd-resource-info.js';
export { validateSchema, jsonType, checkFormat } from './schema-validate.js';
export { applyDefaults } from './schema-default.js';
export { pruneUnknown, OBJECT_META_FIELDS, type PruneOptions } from './schema-prune.js';
export { parseJsonPath, evaluateJsonPath, dottedPath, type JsonPathSegment } from './jsonpath.js';
