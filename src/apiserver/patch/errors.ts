// Errors thrown by the patch library. The apiserver core renders them as a Kubernetes Status:
// {kind: "Status", status: "Failure", reason, code, message, details?: {causes}}.

export type PatchErrorReason = 'BadRequest' | 'Invalid' | 'Conflict' | 'UnsupportedMediaType' | 'UnprocessableEntity';

export interface PatchErrorCause {
  /** Kubernetes cause type, e.g. "FieldManagerConflict". */
  reason: string;
  message: string;
  field?: string;
}

/**
 * A patch could not be decoded or applied. `message` is the text for the Status.
 * `detail` keeps the underlying library wording where Kubernetes hides it behind a generic
 * message (json-patch application errors: Kubernetes answers 422 Invalid with
 * "the server rejected our request due to an error in our request"; we put the json-patch
 * library's text, e.g. "testing value /a failed: test failed", in `message` because it is far
 * more useful, and keep the generic one in `kubernetesMessage` for byte-exact rendering).
 */
export class PatchError extends Error {
  readonly reason: PatchErrorReason;
  readonly code: number;
  readonly causes: PatchErrorCause[];
  /** The message the real kube-apiserver would put in the Status, when it differs from `message`. */
  readonly kubernetesMessage: string;

  constructor(reason: PatchErrorReason, code: number, message: string, opts: { causes?: PatchErrorCause[]; kubernetesMessage?: string } = {}) {
    super(message);
    this.name = 'PatchError';
    this.reason = reason;
    this.code = code;
    this.causes = opts.causes ?? [];
    this.kubernetesMessage = opts.kubernetesMessage ?? message;
  }
}

export const badRequest = (message: string): PatchError => new PatchError('BadRequest', 400, message);

/** The Status message Kubernetes uses for 422 errors built with NewGenericServerResponse. */
export const GENERIC_UNPROCESSABLE_MESSAGE = 'the server rejected our request due to an error in our request';

/** A json-patch that decoded but could not be applied: 422 Invalid, as kube-apiserver answers. */
export const unprocessable = (message: string): PatchError =>
  new PatchError('Invalid', 422, message, { kubernetesMessage: GENERIC_UNPROCESSABLE_MESSAGE });

/** The 415 Kubernetes answers a strategic merge patch for a kind without Go types (custom resources). */
export const SMP_UNSUPPORTED_MESSAGE =
  'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';

export const unsupportedMediaType = (message = SMP_UNSUPPORTED_MESSAGE): PatchError => new PatchError('UnsupportedMediaType', 415, message);

/** One field another manager owns with a different value. `field` is a path as Kubernetes prints it (`.spec.replicas`). */
export interface ApplyConflict {
  /** The other manager's name ("kubectl-client-side-apply"). */
  manager: string;
  field: string;
  /** How Kubernetes prints the manager: `"kubectl-client-side-apply" using v1`. */
  managerText: string;
}

/** Server-side apply conflicts: 409 Conflict with one FieldManagerConflict cause per field. */
export class ApplyConflictError extends PatchError {
  readonly conflicts: ApplyConflict[];
  constructor(conflicts: ApplyConflict[]) {
    super('Conflict', 409, conflictMessage(conflicts), {
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.managerText}`, field: c.field })),
    });
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
  }
}

/** Kubernetes' wording (apiserver fieldmanager internal/conflict.go). */
function conflictMessage(c: ApplyConflict[]): string {
  if (c.length === 1) return `Apply failed with 1 conflict: conflict with ${c[0].managerText}: ${c[0].field}`;
  const byManager = new Map<string, string[]>();
  for (const x of c) {
    const list = byManager.get(x.managerText) ?? [];
    list.push(x.field);
    byManager.set(x.managerText, list);
  }
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${m}`);
    for (const f of byManager.get(m)!) lines.push(`- ${f}`);
  }
  return `Apply failed with ${c.length} conflicts: ${lines.join('\n')}`;
}
