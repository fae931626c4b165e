// What a request path means (apiserver's RequestInfoFactory): an API resource request
// (/api/v1/namespaces/ns/pods/name/status, the legacy /watch/ form) or a non-resource path.

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** Kubernetes verb: get list watch create update patch delete deletecollection (or the HTTP method lower-cased for non-resource paths). */
  verb: string;
  apiPrefix: 'api' | 'apis' | '';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the version when they do not fit the pattern (e.g. /api/v1 itself: []). */
  parts: string[];
}

const namespaceSubresources = new Set(['status', 'finalize']);

/** Parse a request path and method into a RequestInfo. */
export function parseRequestInfo(method: string, rawPath: string, query: URLSearchParams): RequestInfo {
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  const info: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', group: '', version: '', namespace: '', resource: '', subresource: '', name: '', parts: [] };
  let segs = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  if (segs[0] !== 'api' && segs[0] !== 'apis') return info;
  info.apiPrefix = segs[0] as 'api' | 'apis';
  segs = segs.slice(1);
  if (info.apiPrefix === 'apis') {
    if (segs.length < 2) {
      info.group = segs[0] ?? '';
      return info;
    }
    info.group = segs[0];
    info.version = segs[1];
    segs = segs.slice(2);
  } else {
    if (segs.length < 1) return info;
    info.version = segs[0];
    segs = segs.slice(1);
  }
  info.parts = segs;
  if (segs.length === 0) return info;
  info.isResourceRequest = true;
  const m = method.toUpperCase();
  switch (m) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = 'get';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = 'delete';
      break;
    default:
      info.verb = '';
  }
  let isWatchPath = false;
  if (segs[0] === 'watch') {
    isWatchPath = true;
    segs = segs.slice(1);
    if (info.verb === 'get') info.verb = 'watch';
  }
  if (segs[0] === 'namespaces') {
    if (segs.length > 1) {
      info.namespace = segs[1];
      if (segs.length > 2 && !namespaceSubresources.has(segs[2])) segs = segs.slice(2);
    }
  }
  info.resource = segs[0] ?? '';
  if (segs.length >= 2) info.name = segs[1];
  if (segs.length >= 3) info.subresource = segs[2];
  if (segs.length > 3) info.subresource = segs.slice(2).join('/'); // e.g. proxy paths; handlers reject what they do not know
  if (info.resource === 'namespaces' && info.name) info.namespace = info.name;
  if (info.resource === 'namespaces' && !info.name) info.namespace = '';
  if (!info.name) {
    if (info.verb === 'get') info.verb = isWatchPath || isTrue(query.get('watch')) ? 'watch' : 'list';
    else if (info.verb === 'delete') info.verb = 'deletecollection';
  } else if (info.verb === 'get' && isTrue(query.get('watch'))) info.verb = 'watch';
  return info;
}

export function isTrue(v: string | null | undefined): boolean {
  return v === 'true' || v === '1' || v === 'True';
}
