// Content negotiation: which representation a client asked for (plain JSON, a meta.k8s.io
// Table, PartialObjectMetadata, aggregated discovery) and how to read a request body
// (JSON, YAML, Kubernetes protobuf).
import { parse as parseYaml } from 'yaml';
import { badRequest, notAcceptable, unsupportedMediaType } from './status.js';

export interface MediaRange {
  type: string; // 'application/json'
  params: Record<string, string>;
}

export function parseMediaType(s: string): MediaRange {
  const [type, ...ps] = s.split(';');
  const params: Record<string, string> = {};
  for (const p of ps) {
    const i = p.indexOf('=');
    if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseMediaType);
}

export type ResponseForm = { kind: 'object' } | { kind: 'table'; version: 'v1' | 'v1beta1' } | { kind: 'partial'; version: 'v1' | 'v1beta1' };

const jsonish = (t: string) => t === 'application/json' || t === '*/*' || t === 'application/*' || t === 'application/yaml' || t === 'application/vnd.kubernetes.protobuf' || t === 'application/json;stream=watch';

/** What to answer for a resource read: the object, a Table or PartialObjectMetadata(List). */
export function negotiateResponse(accept: string | undefined): ResponseForm {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { kind: 'object' };
  for (const r of ranges) {
    const as = r.params['as'];
    if (as) {
      if (r.params['g'] !== 'meta.k8s.io' || (r.params['v'] !== 'v1' && r.params['v'] !== 'v1beta1')) continue;
      if (r.type !== 'application/json' && r.type !== 'application/vnd.kubernetes.protobuf' && r.type !== 'application/yaml') continue;
      if (as === 'Table') return { kind: 'table', version: r.params['v'] as 'v1' | 'v1beta1' };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'partial', version: r.params['v'] as 'v1' | 'v1beta1' };
      continue;
    }
    if (jsonish(r.type)) return { kind: 'object' };
  }
  throw notAcceptable();
}

/** Aggregated discovery version asked for by `/api` or `/apis` Accept headers, else legacy. */
export function negotiateDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | 'legacy' {
  for (const r of parseAccept(accept)) {
    if (r.params['g'] === 'apidiscovery.k8s.io' && r.params['as'] === 'APIGroupDiscoveryList') {
      if (r.params['v'] === 'v2') return 'v2';
      if (r.params['v'] === 'v2beta1') return 'v2beta1';
      continue;
    }
    if (!r.params['as']) return 'legacy';
  }
  return 'legacy';
}

/** A decoder for Kubernetes protobuf bodies (from src/api/protobuf), set once it is available. */
let protobufDecoder: ((body: Buffer) => Record<string, unknown>) | undefined;
export function setProtobufDecoder(fn: (body: Buffer) => Record<string, unknown>): void {
  protobufDecoder = fn;
}

/** Decode a create/update body by Content-Type into a JSON object. */
export function decodeBody(body: Buffer, contentType: string | undefined): Record<string, any> {
  const mt = parseMediaType(contentType || 'application/json');
  let v: unknown;
  if (mt.type === 'application/json' || mt.type === '' || mt.type === '*/*') {
    try {
      v = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw badRequest(`the object provided is unrecognized (must be of type JSON): ${(e as Error).message}`);
    }
  } else if (mt.type === 'application/yaml' || mt.type === 'application/x-yaml' || mt.type === 'text/yaml') {
    try {
      v = parseYaml(body.toString('utf8'));
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  } else if (mt.type === 'application/vnd.kubernetes.protobuf') {
    if (!protobufDecoder) throw unsupportedMediaType(mt.type);
    try {
      v = protobufDecoder(body);
    } catch (e) {
      throw badRequest(`failed to decode protobuf body: ${(e as Error).message}`);
    }
  } else throw unsupportedMediaType(mt.type);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('the object provided is unrecognized (must be a JSON object)');
  return v as Record<string, any>;
}
