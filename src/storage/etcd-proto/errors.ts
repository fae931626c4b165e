// Error conversion between gRPC statuses and StoreError (etcd's code + exact message).

import type * as grpc from '@grpc/grpc-js';
import { Errors, GrpcCode, type GrpcCodeName, StoreError } from '../errors.js';

const NAME_BY_CODE = new Map<number, GrpcCodeName>(Object.entries(GrpcCode).map(([k, v]) => [v, k as GrpcCodeName]));
const KNOWN_MESSAGES = new Map<string, GrpcCodeName>(Object.values(Errors).map((e) => [e.message, e.code]));

/** The status a grpc-js server hands to its callback (or `call.emit('error', ...)`) for an error. */
export function storeErrorToGrpc(err: unknown): Partial<grpc.StatusObject> & { code: number; details: string; message: string } {
  if (err instanceof StoreError) return { code: err.grpcCode, details: err.message, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: GrpcCode.UNKNOWN, details: message, message };
}

/**
 * A gRPC client error (grpc-js ServiceError: code + details) as a StoreError. etcd's own errors keep
 * their exact message (clients match on it); the code comes from the status.
 */
export function grpcErrorToStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as Partial<grpc.ServiceError> | undefined;
  const code = typeof e?.code === 'number' ? e.code : GrpcCode.UNKNOWN;
  const details = typeof e?.details === 'string' && e.details ? e.details : err instanceof Error ? err.message : String(err);
  const known = KNOWN_MESSAGES.get(details);
  const name = known ?? NAME_BY_CODE.get(code) ?? 'UNKNOWN';
  const out = new StoreError(name, details);
  if (err instanceof Error && err.stack) out.cause = err;
  return out;
}
