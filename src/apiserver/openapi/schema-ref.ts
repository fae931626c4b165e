// `$ref` helpers shared by the schema modules.

/** `#/components/schemas/X` or `#/definitions/X` -> `X`. */
export function refTarget(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}
