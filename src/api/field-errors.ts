// Field errors: what validation returns, rendered by the apiserver as a 422 Invalid Status
// (`Pod "x" is invalid: spec.containers[0].image: Required value`) with one cause per error
// ({reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].image"}).
// The reasons and message texts are apimachinery's field.ErrorType ones.

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  /** Path as Kubernetes prints it: `spec.containers[0].ports[1].containerPort`, `metadata.labels[app]`. */
  field: string;
  badValue?: unknown;
  detail?: string;
}

export type FieldErrorList = FieldError[];

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

const withValue = new Set<FieldErrorType>(['FieldValueNotFound', 'FieldValueDuplicate', 'FieldValueInvalid', 'FieldValueNotSupported', 'FieldValueTypeInvalid']);

/** The cause message for one error, as apimachinery's field.Error.ErrorBody(). */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  if (withValue.has(e.type) && e.badValue !== undefined) {
    const v = e.badValue;
    s += ': ' + (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
  }
  if (e.detail) s += ': ' + e.detail;
  return s;
}

/** `field: body`, as apimachinery's field.Error.Error(). */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const invalid = (field: string, badValue: unknown, detail = ''): FieldError => ({ type: 'FieldValueInvalid', field, badValue, detail });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const duplicate = (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, badValue });
export const notFound = (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueNotFound', field, badValue });
export const tooLong = (field: string, badValue: unknown, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  detail: `must have at most ${max} bytes`,
  badValue,
});
export const notSupported = (field: string, badValue: unknown, valid: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  badValue,
  detail: 'supported values: ' + valid.map((v) => JSON.stringify(v)).join(', '),
});
