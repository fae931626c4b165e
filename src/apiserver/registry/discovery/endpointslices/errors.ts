// Field error helpers for endpoint slices: the shared ones plus TooMany (apimachinery's
// field.TooMany: "must have at most N items").
import type { FieldError } from '../../../../api/field-errors.js';
export { type FieldErrorList, invalid, required, notSupported, duplicate } from '../../../../api/field-errors.js';

export const tooMany = (field: string, actual: number, max: number): FieldError => ({ type: 'FieldValueTooMany', field, badValue: actual, detail: `must have at most ${max} items` });
