// Custom resource values as CEL sees them (apiextensions-apiserver's UnstructuredToVal and
// SchemaDeclType): `integer` is int, `number` double, strings of format byte/date/date-time/
// duration are bytes/timestamp/duration, int-or-string is int or string; an object with
// properties exposes only its declared properties (names escaped as kube escapes them:
// `foo-bar` is `foo__dash__bar`, a keyword `namespace` is `__namespace__`) and null-valued ones
// are absent; additionalProperties make a map; at the root of a resource and of an embedded
// resource, apiVersion, kind and metadata.name/generateName are always there (and nothing else
// of metadata).
import { Duration } from '@marcbachmann/cel-js/evaluator';
import type { Schema } from '../../openapi/types.js';
import { isObject } from './json-shape.js';

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** kube's cel.Escape: the CEL field name of a property, or undefined when it has none. */
export function escapeProperty(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  return name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

const TYPES = new Set(['array', 'object', 'string', 'boolean', 'number', 'integer']);

/** Whether a schema has a CEL type (SchemaDeclType is not nil): fields without one are invisible to rules. */
export function celTypable(s: Schema | undefined): boolean {
  if (!s) return false;
  if (s['x-kubernetes-int-or-string']) return true;
  if (!TYPES.has(s.type ?? '')) return false;
  if (s.type === 'array') return celTypable(s.items);
  if (s.type === 'object' && isObject(s.additionalProperties)) return celTypable(s.additionalProperties);
  return true;
}

const isMapSchema = (s: Schema): s is Schema & { additionalProperties: Schema } => isObject(s.additionalProperties);

/** The schema of a resource root (or embedded resource) with apiVersion, kind and metadata.name/generateName. */
export function withTypeAndObjectMeta(s: Schema): Schema {
  const meta = s.properties?.metadata;
  return {
    ...s,
    properties: {
      ...(s.properties ?? {}),
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', properties: { name: meta?.properties?.name ?? { type: 'string' }, generateName: meta?.properties?.generateName ?? { type: 'string' } } },
    },
  };
}

const DURATION_UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n, w: 604_800_000_000_000n };

function parseDuration(s: string): Duration | undefined {
  const m = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h|d|w))+)$/.exec(s.trim());
  if (!m) return undefined;
  let nanos = 0n;
  for (const [, num, unit] of m[2].matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)/g)) {
    const [i, f = ''] = num.split('.');
    const scale = DURATION_UNITS[unit];
    nanos += BigInt(i || '0') * scale + (f ? (BigInt(f.slice(0, 18).padEnd(18, '0')) * scale) / 10n ** 18n : 0n);
  }
  if (m[1] === '-') nanos = -nanos;
  return new Duration(nanos / 1_000_000_000n, Number(nanos % 1_000_000_000n));
}

function stringValue(v: string, format: string | undefined): unknown {
  switch (format) {
    case 'byte':
      return Buffer.from(v, 'base64');
    case 'date':
    case 'date-time':
    case 'datetime': {
      const d = new Date(format === 'date' ? `${v}T00:00:00Z` : v);
      return Number.isNaN(d.getTime()) ? v : d;
    }
    case 'duration':
      return parseDuration(v) ?? v;
    default:
      return v;
  }
}

/** A JSON value without schema (under x-kubernetes-preserve-unknown-fields): whole numbers are ints. */
function untyped(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(untyped);
  if (typeof v === 'object') {
    const o: Record<string, unknown> = Object.create(null);
    for (const [k, x] of Object.entries(v)) o[k] = untyped(x);
    return o;
  }
  return v;
}

/** The CEL value of `v` under schema `s` (`isResourceRoot` for the root and embedded resources). */
export function toCelValue(v: unknown, s: Schema | undefined, isResourceRoot = false): unknown {
  if (v === null || v === undefined) return null;
  if (!s) return untyped(v);
  if (isResourceRoot) s = withTypeAndObjectMeta(s);
  if (s['x-kubernetes-int-or-string']) return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
  switch (typeof v) {
    case 'number':
      return s.type === 'integer' && Number.isInteger(v) ? BigInt(v) : s.type === 'number' ? v : untyped(v);
    case 'string':
      return s.type === 'string' ? stringValue(v, s.format) : v;
    case 'boolean':
      return v;
  }
  if (Array.isArray(v)) return v.map((x) => toCelValue(x, s.items, !!s.items?.['x-kubernetes-embedded-resource']));
  if (typeof v !== 'object') return v;
  const o: Record<string, unknown> = Object.create(null);
  if (isMapSchema(s)) {
    const item = s.additionalProperties;
    for (const [k, x] of Object.entries(v)) o[k] = toCelValue(x, item, !!item['x-kubernetes-embedded-resource']);
    return o;
  }
  if (!celTypable(s)) return untyped(v);
  for (const [k, x] of Object.entries(v)) {
    const ps = s.properties?.[k];
    const name = ps ? escapeProperty(k) : undefined;
    if (!ps || name === undefined || x === null || x === undefined || !celTypable(ps)) continue;
    o[name] = toCelValue(x, ps, !!ps['x-kubernetes-embedded-resource']);
  }
  return o;
}
