// HTTP answers for /openapi/v2, /openapi/v3 and /openapi/v3/<gv>, framework-free: the server
// core passes method, path, query and headers and writes back {status, headers, body}.
//
// - v3 documents are JSON; `?hash=` equal to the current hash -> immutable caching headers;
//   a stale `?hash=` -> 301 to the current URL (as kube-apiserver); no hash -> no-cache + ETag.
// - If-None-Match equal to the ETag -> 304.
// - /openapi/v2: JSON to a client that accepts JSON; 406 NotAcceptable to a protobuf-only client
//   (kubectl asks for v2 only as protobuf and copes with 406: it then uses v3).
import type { OpenApiService } from './service.js';

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
  body: string;
}

const JSON_TYPE = 'application/json';

function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const t = part.split(';')[0].trim().toLowerCase();
    return t === '*/*' || t === 'application/*' || t === 'application/json';
  });
}

function notAcceptable(accept: string): OpenApiResponse {
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `only the following media types are accepted: application/json`,
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
  if (!acceptsJson(accept)) return notAcceptable(accept ?? '');

  let doc;
  let wantedHash: string | null = null;
  if (path === '/openapi/v2') doc = svc.v2();
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
  const headers: Record<string, string> = { 'Content-Type': JSON_TYPE, ETag: doc.etag, Vary: 'Accept' };
  if (wantedHash) {
    headers['Cache-Control'] = 'public, immutable';
    headers.Expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  } else headers['Cache-Control'] = 'no-cache, private';
  const inm = req.headers?.['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === doc.etag || t.trim() === '*')) return { status: 304, headers, body: '' };
  return { status: 200, headers, body: req.method === 'HEAD' ? '' : doc.body };
}
