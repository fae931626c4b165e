// Object metadata the generic store owns (apimachinery's ObjectMeta handling): generated
// names, uid, timestamps, and the generic metadata validation every kind gets.
import { randomUUID, randomInt } from 'node:crypto';
import { required, invalid, tooLong, type FieldErrorList } from '../../../api/field-errors.js';
import { deepCopyJson } from '../../../api/deep-copy.js';

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName + 5 random characters, as names.SimpleNameGenerator. */
export function generateName(base: string): string {
  const b = base.length > 58 ? base.slice(0, 58) : base;
  let s = '';
  for (let i = 0; i < 5; i++) s += alphanums[randomInt(alphanums.length)];
  return b + s;
}

export const newUid = (): string => randomUUID();

/** RFC3339 UTC with whole seconds (metav1.Time). */
export function rfc3339(d: Date): string {
  // Every write in the same second formats the same string: keep the last one.
  const secs = Math.floor(d.getTime() / 1000);
  if (secs !== last.secs) last = { secs, text: d.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return last.text;
}
let last = { secs: NaN, text: '' };

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && dns1123Subdomain.test(s);
}

function validateQualifiedName(field: string, key: string, errs: FieldErrorList): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0 && (prefix.length === 0 || !isDns1123Subdomain(prefix))) {
    errs.push(invalid(field, key, 'prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')'));
  }
  if (name.length === 0) errs.push(invalid(field, key, 'name part must be non-empty'));
  else if (name.length > 63) errs.push(invalid(field, key, 'name part must be no more than 63 characters'));
  else if (!qualifiedNamePart.test(name)) {
    errs.push(invalid(field, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
  }
}

/** Labels, annotations, name presence: what ValidateObjectMeta checks for every kind. */
export function validateObjectMeta(meta: Record<string, any>, namespaced: boolean): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!meta.name) errs.push(required('metadata.name', 'name or generateName is required'));
  else if (typeof meta.name !== 'string') errs.push(invalid('metadata.name', meta.name, 'must be a string'));
  else {
    if (meta.name === '.' || meta.name === '..') errs.push(invalid('metadata.name', meta.name, `may not be '${meta.name}'`));
    else if (meta.name.includes('/') || meta.name.includes('%')) errs.push(invalid('metadata.name', meta.name, `may not contain '${meta.name.includes('/') ? '/' : '%'}'`));
  }
  if (namespaced && !meta.namespace) errs.push(required('metadata.namespace', ''));
  const labels = meta.labels ?? {};
  if (typeof labels !== 'object' || Array.isArray(labels)) errs.push(invalid('metadata.labels', labels, 'must be a map'));
  else
    for (const [k, v] of Object.entries(labels)) {
      validateQualifiedName('metadata.labels', k, errs);
      if (typeof v !== 'string') errs.push(invalid(`metadata.labels`, v, 'must be a string'));
      else if (v.length > 63) errs.push(invalid(`metadata.labels`, v, 'must be no more than 63 characters'));
      else if (!labelValue.test(v))
        errs.push(invalid('metadata.labels', v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
    }
  const ann = meta.annotations ?? {};
  if (typeof ann !== 'object' || Array.isArray(ann)) errs.push(invalid('metadata.annotations', ann, 'must be a map'));
  else {
    let total = 0;
    for (const [k, v] of Object.entries(ann)) {
      validateQualifiedName('metadata.annotations', k.toLowerCase(), errs);
      total += k.length + (typeof v === 'string' ? v.length : 0);
      if (typeof v !== 'string') errs.push(invalid('metadata.annotations', v, 'must be a string'));
    }
    if (total > 256 * 1024) errs.push(tooLong('metadata.annotations', '', 256 * 1024));
  }
  if (meta.finalizers !== undefined && !Array.isArray(meta.finalizers)) errs.push(invalid('metadata.finalizers', meta.finalizers, 'must be a list'));
  return errs;
}

/** Deep equality for JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

export const clone = <T>(v: T): T => deepCopyJson(v);
