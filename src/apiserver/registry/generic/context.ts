// The per-request context the generic store works with (a StrategyContext plus options).
import type { StrategyContext } from '../strategy.js';

export interface RequestContext extends StrategyContext {
  /** Warnings to send back as `Warning: 299 - "..."` headers. */
  warnings: string[];
  fieldManager?: string;
  /** Ignore | Warn | Strict (default Warn for JSON bodies, as kube-apiserver 1.27+). */
  fieldValidation?: string;
  /** Audit annotations admission adds (kube's audit.AddAuditAnnotation); the audit sink links this map. */
  auditAnnotations?: Record<string, string>;
}

/** Record an audit annotation for this request (kept only when the request is audited). */
export function addAuditAnnotation(ctx: RequestContext, key: string, value: string): void {
  (ctx.auditAnnotations ??= {})[key] = value;
}

export function newContext(namespace: string, opts: Partial<RequestContext> = {}): RequestContext {
  return {
    namespace,
    user: opts.user ?? { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] },
    dryRun: opts.dryRun ?? false,
    now: opts.now ?? (() => new Date()),
    warnings: opts.warnings ?? [],
    fieldManager: opts.fieldManager,
    fieldValidation: opts.fieldValidation,
  };
}
