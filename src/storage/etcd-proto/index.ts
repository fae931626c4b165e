// etcd v3 gRPC API: the loaded protos (service definitions, client constructors) and converters
// between proto message objects and the Store's types (store.ts), both directions.
export * from './load.js';
export type * from './types.js';
export * from './scalars.js';
export * from './requests.js';
export * from './responses.js';
export * from './errors.js';
