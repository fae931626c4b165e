// HTTP answers for /openapi/v2, /openapi/v3 and /openapi/v3/<gv>, framework-free: the server
// core passes method, path, query and headers and writes back {status, headers, body}.
//
// - v3 documents are JSON; `?hash=` equal to the current hash -> immutable caching headers;
//   a stale `?hash=` -> 301 to the current URL (as kube-apiserver); no hash -> no-cache + ETag.
// - If-None-Match equal to the ETag -> 304.
// - /openapi/v2: JSON or gnostic protobuf (what kubectl asks for), by the Accept header's first
//   match; 406 NotAcceptable when neither is accepted.
import type { OpenApiService } from './service.js';
import { V2_PROTOBUF_CONTENT_TYPE, V2_PROTOBUF_RESPONSE_TYPE } from './v2-protobuf.js';

export interface OpenApiRequest {
  method: string;
  /** The URL path, e.g. '/openapi/v3/apis/apps/v1'. */
  path: string;
  query?: URLSearchParams;
  headers?: { accept?: string; 'if-none-match'?: string };
}

export interface OpenApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Text (JSON documents, Status) or bytes (the protobuf v2 document). */
  body: string | Buffer;
}

const JSON_TYPE = 'application/json';

/** The first media type of `accept` we can serve: 'json', 'protobuf' (v2 only) or undefined. */
function negotiate(accept: string | undefined, protobufOk: boolean): 'json' | 'protobuf' | undefined {
  if (!accept) return 'json';
  for (const part of accept.split(',')) {
    const t = part.split(';')[0].trim().toLowerCase();
    if (t === '*/*' || t === 'application/*' || t === 'application/json') return 'json';
    if (protobufOk && t === V2_PROTOBUF_CONTENT_TYPE) return 'protobuf';
  }
  return undefined;
}

function notAcceptable(accept: string): OpenApiResponse {
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server was unable to respond with a content type that the client supports',
    reason: 'NotAcceptable',
    code: 406,
  };
  void accept;
  return { status: 406, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(status) };
}

function notFound(path: string): OpenApiResponse {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `the server could not find the requested resource (get ${path})`, reason: 'NotFound', details: {}, code: 404 };
  return { status: 404, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(status) };
}

/** Answers an /openapi request, or undefined when the path is not an OpenAPI path. */
export function openApiResponse(svc: OpenApiService, req: OpenApiRequest): OpenApiResponse | undefined {
  const path = req.path.replace(/\/+$/, '');
  if (path !== '/openapi/v2' && path !== '/openapi/v3' && !path.startsWith('/openapi/v3/')) return undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `the server does not allow this method on the requested resource`, reason: 'MethodNotAllowed', code: 405 });
    return { status: 405, headers: { 'Content-Type': JSON_TYPE, Allow: 'GET, HEAD' }, body };
  }
  const accept = req.headers?.accept;
  const as = negotiate(accept, path === '/openapi/v2');
  if (!as) return notAcceptable(accept ?? '');

  let doc;
  let wantedHash: string | null = null;
  if (path === '/openapi/v2') doc = as === 'protobuf' ? svc.v2Protobuf() : svc.v2();
  else if (path === '/openapi/v3') doc = svc.v3Index();
  else {
    const gv = path.slice('/openapi/v3/'.length);
    doc = svc.v3Document(gv);
    if (!doc) return notFound(path);
    wantedHash = req.query?.get('hash') ?? null;
    if (wantedHash && wantedHash !== doc.hash) {
      const location = `${path}?hash=${doc.hash}`;
      return { status: 301, headers: { Location: location, 'Content-Type': 'text/html; charset=utf-8' }, body: `<a href="${location}">Moved Permanently</a>.\n` };
    }
  }
  const headers: Record<string, string> = { 'Content-Type': as === 'protobuf' ? V2_PROTOBUF_RESPONSE_TYPE : JSON_TYPE, ETag: doc.etag, Vary: 'Accept' };
  if (wantedHash) {
    headers['Cache-Control'] = 'public, immutable';
    headers.Expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  } else headers['Cache-Control'] = 'no-cache, private';
  const inm = req.headers?.['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === doc.etag || t.trim() === '*')) return { status: 304, headers, body: '' };
  return { status: 200, headers, body: req.method === 'HEAD' ? '' : doc.body };
}
