// What the encryption layer tells the object decoder about a value it read: that it could not be
// decrypted (the object answers with an InternalError Status instead of crashing a list, a watch
// or the watch cache), or that it was written with an older provider or key (stale: an update
// rewrites it even when nothing else changed, which is how key rotation by re-writing works).
import type { KeyValue } from '../../storage/store.js';
import { internalError, type ApiError } from '../status.js';

const failure = Symbol('keelson.transformError');
const staleMark = Symbol('keelson.staleValue');

type Marked = KeyValue & { [failure]?: ApiError; [staleMark]?: boolean };

export function markFailed(kv: KeyValue, err: unknown): KeyValue {
  const out: Marked = { ...kv };
  out[failure] = internalError(err);
  return out;
}

export function markStale(kv: KeyValue): KeyValue {
  (kv as Marked)[staleMark] = true;
  return kv;
}

/** The InternalError for a value that could not be decrypted, if it could not. */
export function transformError(kv: KeyValue): ApiError | undefined {
  return (kv as Marked)[failure];
}

export function isStale(kv: KeyValue): boolean {
  return (kv as Marked)[staleMark] === true;
}
