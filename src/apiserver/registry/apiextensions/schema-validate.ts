// Validation of a value against an OpenAPI v3 schema (a CRD version's structural schema), with
// Kubernetes' field paths and messages. kube-apiserver validates custom resources with
// kube-openapi's validator (a go-openapi fork) and turns its errors into field errors: a wrong
// type becomes
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
// (the bad value is the JSON type of what was sent), a missing required field
// `spec.x: Required value`, an enum miss `Unsupported value: "c": supported values: "a", "b"`,
// maxLength `Too long: may not be more than 3 bytes`, maxItems/maxProperties `Too many: 4: must
// have at most 3 items`, and everything else `Invalid value: <v>: <path> in body <rule>`.
//
// Supported: type, nullable, properties, additionalProperties, items, required, enum, pattern,
// minimum/maximum (+exclusive), multipleOf, minLength/maxLength, minItems/maxItems, uniqueItems,
// minProperties/maxProperties, format (date-time, date, byte, uuid,
// ipv4, ipv6, cidr, hostname, email, mac, duration; numeric formats such as int32/int64 are not
// range-checked, as in Kubernetes), allOf/anyOf/oneOf/not,
// x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields, x-kubernetes-embedded-resource,
// x-kubernetes-list-type set/map uniqueness. Not supported: x-kubernetes-validations (CEL rules
// are not evaluated).
import type { FieldError, FieldErrorList } from '../../../api/field-errors.js';
import { validateAnnotations, validateLabels } from '../../../api/validation/labels.js';
import { isDNS1123Subdomain } from '../../../api/validation/names.js';
import type { Schema } from '../../openapi/types.js';

/** The JSON type name of a value as go-openapi reports it ('integer' for whole numbers). */
export function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v; // string, boolean
}

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);
const index = (path: string, i: number) => `${path}[${i}]`;
const inBody = (path: string) => `${path || '<root>'} in body`;

const err = (type: FieldError['type'], field: string, badValue: unknown, detail: string): FieldError => ({ type, field, badValue, detail });
const invalid = (field: string, badValue: unknown, detail: string) => err('FieldValueInvalid', field, badValue, detail);
const typeInvalid = (field: string, actual: string, expected: string) =>
  err('FieldValueTypeInvalid', field, actual, `${inBody(field)} must be of type ${expected}: ${JSON.stringify(actual)}`);

function typeMatches(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  return expected === 'number' && actual === 'integer';
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/;
const DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+$/;
const BYTE = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':')) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const parts = [...groups(halves[0]), ...(halves.length === 2 ? groups(halves[1]) : [])];
  let count = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i === parts.length - 1 && p.includes('.')) {
      if (!IPV4.test(p)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(p)) count++;
    else return false;
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

/** Whether a string value conforms to a format (unknown formats always conform). */
export function checkFormat(format: string, v: string): boolean {
  switch (format) {
    case 'date-time':
    case 'datetime': {
      const m = RFC3339.exec(v);
      return !!m && +m[2] >= 1 && +m[2] <= 12 && +m[3] >= 1 && +m[3] <= 31 && +m[4] < 24 && +m[5] < 60 && +m[6] < 61;
    }
    case 'date':
      return DATE.test(v) && !Number.isNaN(Date.parse(v));
    case 'byte':
      return BYTE.test(v);
    case 'uuid':
      return UUID.test(v);
    case 'ipv4':
      return IPV4.test(v);
    case 'ipv6':
      return isIPv6(v);
    case 'cidr': {
      const [ip, bits, extra] = v.split('/');
      if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
      return IPV4.test(ip) ? +bits <= 32 : isIPv6(ip) && +bits <= 128;
    }
    case 'hostname':
      return HOSTNAME.test(v);
    case 'email':
      return EMAIL.test(v);
    case 'mac':
      return MAC.test(v);
    case 'duration':
      return DURATION.test(v);
    default:
      return true;
  }
}

function listKey(item: unknown, keys: string[]): string {
  const o = (item ?? {}) as Record<string, unknown>;
  return JSON.stringify(keys.map((k) => o[k] ?? null));
}

/** Validates `value` (at field path `path`, '' for the root) against `schema`. */
export function validateSchema(value: unknown, schema: Schema | undefined, path = ''): FieldErrorList {
  const errs: FieldErrorList = [];
  if (schema) visit(value, schema, path, errs);
  return errs;
}

function visit(v: unknown, s: Schema, path: string, errs: FieldErrorList): void {
  const actual = jsonType(v);
  if (actual === 'null') {
    if (s.nullable) return;
    if (s.type) errs.push(typeInvalid(path, 'null', s.type));
    else if (s['x-kubernetes-int-or-string']) errs.push(typeInvalid(path, 'null', 'integer,string'));
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') {
      errs.push(typeInvalid(path, actual, 'integer,string'));
      return;
    }
  } else if (s.type && !typeMatches(s.type, actual)) {
    errs.push(typeInvalid(path, actual, s.type));
    return;
  }

  // Value validations.
  if (s.enum && !s.enum.some((e) => deepEqual(e, v))) {
    errs.push(err('FieldValueNotSupported', path, v, 'supported values: ' + s.enum.map((e) => JSON.stringify(e)).join(', ')));
  }
  if (typeof v === 'number') {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
      errs.push(invalid(path, v, `${inBody(path)} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
      errs.push(invalid(path, v, `${inBody(path)} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    if (s.multipleOf && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9) errs.push(invalid(path, v, `${inBody(path)} should be a multiple of ${s.multipleOf}`));
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    if (s.maxLength !== undefined && len > s.maxLength) errs.push(err('FieldValueTooLong', path, v, `may not be more than ${s.maxLength} ${s.maxLength === 1 ? 'byte' : 'bytes'}`));
    if (s.minLength !== undefined && len < s.minLength) errs.push(invalid(path, v, `${inBody(path)} should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch {
        re = undefined;
      }
      if (re && !re.test(v)) errs.push(invalid(path, v, `${inBody(path)} should match '${s.pattern}'`));
    }
    if (s.format && !checkFormat(s.format, v)) errs.push(err('FieldValueTypeInvalid', path, v, `${inBody(path)} must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(err('FieldValueTooMany', path, v.length, `must have at most ${s.maxItems} ${s.maxItems === 1 ? 'item' : 'items'}`));
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(invalid(path, v.length, `${inBody(path)} should have at least ${s.minItems} items`));
    if (s.uniqueItems) {
      for (let i = 1; i < v.length; i++) {
        if (v.slice(0, i).some((x) => deepEqual(x, v[i]))) {
          errs.push(invalid(path, v, `${inBody(path)} shouldn't contain duplicates`));
          break;
        }
      }
    }
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set' || lt === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Set<string>();
      v.forEach((item, i) => {
        const k = lt === 'set' ? JSON.stringify(item) : listKey(item, keys);
        if (seen.has(k)) {
          const bad = lt === 'set' ? item : Object.fromEntries(keys.map((key) => [key, (item as any)?.[key]]));
          errs.push(err('FieldValueDuplicate', index(path, i), bad, ''));
        }
        seen.add(k);
      });
    }
    if (s.items) v.forEach((item, i) => visit(item, s.items!, index(path, i), errs));
  }
  if (actual === 'object') {
    const o = v as Record<string, unknown>;
    const n = Object.keys(o).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(err('FieldValueTooMany', path, n, `must have at most ${s.maxProperties} ${s.maxProperties === 1 ? 'item' : 'items'}`));
    if (s.minProperties !== undefined && n < s.minProperties) errs.push(invalid(path, n, `${inBody(path)} should have at least ${s.minProperties} properties`));
    for (const r of s.required ?? []) if (!(r in o) || o[r] === undefined) errs.push({ type: 'FieldValueRequired', field: child(path, r), detail: '' });
    if (s['x-kubernetes-embedded-resource']) {
      for (const f of ['apiVersion', 'kind']) if (typeof o[f] !== 'string' || o[f] === '') errs.push({ type: 'FieldValueRequired', field: child(path, f), detail: 'must not be empty' });
      // The embedded ObjectMeta: name (optional here) as a DNS subdomain, labels, annotations.
      const m = o.metadata as Record<string, unknown> | undefined;
      if (m && typeof m === 'object' && !Array.isArray(m)) {
        const mp = child(path, 'metadata');
        if (typeof m.name === 'string' && m.name !== '') for (const msg of isDNS1123Subdomain(m.name)) errs.push(invalid(child(mp, 'name'), m.name, msg));
        errs.push(...validateLabels(m.labels, child(mp, 'labels')), ...validateAnnotations(m.annotations, child(mp, 'annotations')));
      }
    }
    for (const [k, x] of Object.entries(o)) {
      const ps = s.properties?.[k];
      if (ps) visit(x, ps, child(path, k), errs);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') visit(x, s.additionalProperties, child(path, k), errs);
      else if (s.additionalProperties === false && !s['x-kubernetes-preserve-unknown-fields']) errs.push(invalid(child(path, k), x, `${inBody(child(path, k))} is a forbidden property`));
    }
  }
  // Logical junctors (value validation only in structural schemas).
  if (s.allOf) {
    for (const sub of s.allOf) visit(v, sub, path, errs);
  }
  if (s.anyOf && !s.anyOf.some((sub) => validateSchema(v, sub, path).length === 0)) {
    errs.push(invalid(path, v, `${inBody(path)} must validate at least one schema (anyOf)`));
  }
  if (s.oneOf) {
    const matches = s.oneOf.filter((sub) => validateSchema(v, sub, path).length === 0).length;
    if (matches !== 1) errs.push(invalid(path, v, `${inBody(path)} must validate one and only one schema (oneOf)`));
  }
  if (s.not && validateSchema(v, s.not, path).length === 0) errs.push(invalid(path, v, `${inBody(path)} must not validate the schema (not)`));
}
