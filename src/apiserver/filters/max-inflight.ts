// Max-in-flight limits (kube-apiserver's --max-requests-inflight and
// --max-mutating-requests-inflight): requests over the limit get 429 TooManyRequests with
// Retry-After. Long-running requests (watch, exec, logs with follow) are not counted.
import { tooManyRequests } from '../status.js';
import type { ApiError } from '../status.js';

export interface InflightLimits {
  readonly: number;
  mutating: number;
}

const mutatingVerbs = new Set(['create', 'update', 'patch', 'delete', 'deletecollection', 'post', 'put', 'delete']);

export class MaxInflight {
  private ro = 0;
  private mut = 0;
  constructor(private limits: InflightLimits) {}

  /** Take a slot, or throw 429. Returns the release function. 0 = unlimited. */
  acquire(verb: string): () => void {
    const mutating = mutatingVerbs.has(verb);
    if (mutating) {
      if (this.limits.mutating > 0 && this.mut >= this.limits.mutating) throw tooManyRequests(1) as ApiError;
      this.mut++;
    } else {
      if (this.limits.readonly > 0 && this.ro >= this.limits.readonly) throw tooManyRequests(1) as ApiError;
      this.ro++;
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (mutating) this.mut--;
      else this.ro--;
    };
  }

  get inflight(): { readonly: number; mutating: number } {
    return { readonly: this.ro, mutating: this.mut };
  }
}

/** Requests that stay open (not counted against the limits, as kube's long-running check). */
export function isLongRunning(verb: string, subresource: string, query: URLSearchParams): boolean {
  if (verb === 'watch') return true;
  if (['exec', 'attach', 'portforward', 'proxy'].includes(subresource)) return true;
  if (subresource === 'log' && query.get('follow') === 'true') return true;
  return false;
}
