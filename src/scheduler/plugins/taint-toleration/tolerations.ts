// Toleration matching, as core/v1 helpers: a toleration with an empty key and operator Exists
// tolerates everything; an empty effect matches every effect; operator defaults to Equal.
export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export function tolerates(toleration: any, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const op = toleration.operator || 'Equal';
  if (!toleration.key) return op === 'Exists';
  if (toleration.key !== taint.key) return false;
  if (op === 'Exists') return true;
  return op === 'Equal' && (toleration.value ?? '') === (taint.value ?? '');
}

export function toleratesTaint(tolerations: any[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: any[] | undefined, effects: string[]): Taint | undefined {
  return (taints ?? []).find((t) => effects.includes(t.effect) && !toleratesTaint(tolerations, t));
}
