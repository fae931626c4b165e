// The HTTP front of the apiserver: non-resource paths (version, health, metrics, discovery,
// OpenAPI) and API resource requests through the pipeline (max-in-flight -> authn -> audit ->
// authz -> handler with admission and validation -> storage). Every error is a Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { kubernetesVersion } from '../version.js';
import { metricsText } from '../util/metrics.js';
import { logger } from '../util/log.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { setWarnings, writeError, writeJson } from './http-util.js';
import { ApiError, methodNotAllowed, pathNotFound } from './status.js';
import { isLongRunning, MaxInflight } from './filters/max-inflight.js';
import { adminUser, type UserInfo } from './filters/pipeline.js';
import { AuthenticationError } from '../auth/authn/errors.js';
import { anonymousUser } from '../auth/authn/anonymous.js';
import { impersonate } from '../auth/impersonation.js';
import { forbiddenError } from '../auth/authz/forbidden.js';
import { attributesOf } from '../auth/authz/types.js';
import { makeHandler, type Handler, type ServerState } from './handlers/context.js';
import type { AuditRequest } from './audit/sink.js';
import { dispatch } from './handlers/resource.js';
import { aggregated, aggregatedContentType, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery/documents.js';
import { negotiateDiscovery } from './negotiation.js';
import { serveHealth, type HealthCheck } from './health.js';
import { inflightGauge, requestDuration, requestTotal } from './metrics.js';
import { openApiResponse, type OpenApiService } from './openapi/index.js';
import { issuerDiscovery } from '../auth/tokens/oidc-discovery.js';

const log = logger('apiserver');

export interface FrontState extends ServerState {
  inflight: MaxInflight;
  openapi?: OpenApiService;
  healthChecks: HealthCheck[];
  readyChecks: HealthCheck[];
  serverAddress: string;
  /** The debugging listener (`--insecure-port`, loopback only): no authentication or
   * authorization, every request is the cluster admin (as kube's old insecure port). */
  insecure?: boolean;
}

const versionInfo = () => ({
  major: kubernetesVersion.major,
  minor: kubernetesVersion.minor,
  gitVersion: kubernetesVersion.gitVersion,
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'keelson',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
});

function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function createRequestHandler(state: FrontState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const start = process.hrtime.bigint();
    let info: RequestInfo | undefined;
    const done = () => {
      if (!info?.isResourceRequest) return;
      const labels = { verb: info.verb.toUpperCase(), group: info.group, resource: info.resource, subresource: info.subresource, code: String(res.statusCode) };
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      requestTotal.inc(labels);
      if (info.verb !== 'watch') requestDuration.observe(labels, seconds);
      if (log.isLevelEnabled('debug')) log.debug({ verb: info.verb, path: info.path, code: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    };
    res.on('finish', done);
    handle(state, req, res, (i) => (info = i)).catch((e) => {
      const err = writeError(res, e);
      if (err.code >= 500 && !(e instanceof ApiError) && !req.destroyed) log.error({ err: e, method: req.method, url: req.url }, 'request failed');
    });
  };
}

async function handle(state: FrontState, req: IncomingMessage, res: ServerResponse, setInfo: (i: RequestInfo) => void): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const query = url.searchParams;
  const method = (req.method ?? 'GET').toUpperCase();
  const info = parseRequestInfo(method, path, query);
  setInfo(info);
  const longRunning = info.isResourceRequest && isLongRunning(info.verb, info.subresource, query);
  const release = longRunning ? () => {} : state.inflight.acquire(info.isResourceRequest ? info.verb : method.toLowerCase());
  const kind = ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(info.verb) ? 'mutating' : 'readOnly';
  if (!longRunning) inflightGauge.inc({ request_kind: kind });
  let audit: AuditRequest | undefined;
  let h: Handler | undefined;
  try {
    const authenticated = await authenticate(state, req).catch((e) => {
      if (e instanceof ApiError && e.code === 401) state.pipeline.audit?.failedAuthentication?.({ req, res, info });
      throw e;
    });
    audit = state.pipeline.audit?.begin({ req, res, info, user: authenticated, longRunning });
    const user = await impersonate(req, authenticated, state.pipeline.authorizer);
    if (user !== authenticated) audit?.impersonated(user);
    const decision = state.insecure ? { allowed: true } : await state.pipeline.authorizer.authorize(user, info);
    audit?.authorized(decision);
    if (!decision.allowed) {
      throw forbiddenError(attributesOf(user, info), decision.reason);
    }
    // Non-resource endpoints: open to anonymous users through RBAC (system:public-info-viewer).
    if (path === '/version' || path === '/version/') {
      writeJson(res, 200, versionInfo());
      return;
    }
    for (const kind of ['healthz', 'livez', 'readyz']) {
      if (path === `/${kind}` || path.startsWith(`/${kind}/`)) {
        const sub = path.slice(kind.length + 2);
        await serveHealth(res, kind, kind === 'readyz' ? state.readyChecks : state.healthChecks, query, sub);
        return;
      }
    }
    const discovery = await issuerDiscovery(state.resources, path, state.serverAddress);
    if (discovery && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, discovery.headers);
      res.end(method === 'HEAD' ? undefined : discovery.body);
      return;
    }
    if (path === '/metrics') {
      const m = await metricsText();
      res.writeHead(200, { 'Content-Type': m.contentType });
      res.end(m.body);
      return;
    }
    if (path.startsWith('/openapi/')) {
      if (!state.openapi) throw pathNotFound();
      const r = openApiResponse(state.openapi, { method, path, query, headers: { accept: req.headers.accept, 'if-none-match': req.headers['if-none-match'] as string | undefined } });
      if (!r) throw pathNotFound();
      res.writeHead(r.status, r.headers);
      res.end(r.body);
      return;
    }
    if (!info.isResourceRequest) {
      if (method !== 'GET' && method !== 'HEAD') {
        if (info.apiPrefix) throw methodNotAllowed();
        throw pathNotFound();
      }
      serveDiscovery(state, req, res, info);
      return;
    }
    const served = state.resources.lookup(info.group, info.version, info.resource);
    if (!served) throw pathNotFound();
    h = makeHandler(req, res, info, query, served, state, user);
    audit?.instrument(h);
    await dispatch(h);
  } catch (e) {
    audit?.failed(e);
    // Warnings gathered before the failure (admission, deprecation) go out with the error, as
    // kube-apiserver's warning recorder writes them into the headers when they are added.
    if (h?.ctx.warnings.length) setWarnings(res, h.ctx.warnings);
    throw e;
  } finally {
    release();
    if (!longRunning) inflightGauge.dec({ request_kind: kind });
  }
}

/**
 * kube's authentication chain: the first authenticator that recognises the request's credentials
 * decides; credentials that are presented but wrong (bad certificate, unknown token) are 401 and
 * never fall back to anonymous; a request without any credentials is anonymous when allowed.
 * Authenticated users get the system:authenticated group.
 */
async function authenticate(state: FrontState, req: IncomingMessage): Promise<UserInfo> {
  if (state.insecure) return adminUser;
  let failed: Error | undefined;
  for (const a of state.pipeline.authenticators) {
    try {
      const u = await a.authenticate(req);
      if (u) return u.groups.includes('system:authenticated') || u.name === 'system:anonymous' ? u : { ...u, groups: [...u.groups, 'system:authenticated'] };
    } catch (e) {
      if (!(e instanceof AuthenticationError)) throw e;
      failed ??= e;
    }
  }
  if (failed) {
    if (log.isLevelEnabled('debug')) log.debug({ reason: failed.message, url: req.url }, 'authentication failed');
    throw unauthorized();
  }
  if (state.pipeline.anonymous) return anonymousUser;
  throw unauthorized();
}

function serveDiscovery(state: FrontState, req: IncomingMessage, res: ServerResponse, info: RequestInfo): void {
  const r = state.resources;
  const vary = { Vary: 'Accept' };
  if (info.apiPrefix === 'api' && !info.version) {
    const v = negotiateDiscovery(req.headers.accept);
    if (v !== 'legacy') writeJson(res, 200, aggregated(r, true, v), vary, aggregatedContentType(v));
    else writeJson(res, 200, apiVersions(state.serverAddress), vary);
    return;
  }
  if (info.apiPrefix === 'apis' && !info.group) {
    const v = negotiateDiscovery(req.headers.accept);
    if (v !== 'legacy') writeJson(res, 200, aggregated(r, false, v), vary, aggregatedContentType(v));
    else writeJson(res, 200, apiGroupList(r), vary);
    return;
  }
  if (info.apiPrefix === 'apis' && !info.version) {
    const g = apiGroup(r, info.group);
    if (!g) throw pathNotFound();
    writeJson(res, 200, g);
    return;
  }
  if (info.apiPrefix && info.parts.length === 0) {
    const l = apiResourceList(r, info.apiPrefix === 'api' ? '' : info.group, info.version);
    if (!l || (info.apiPrefix === 'api' && info.group)) throw pathNotFound();
    writeJson(res, 200, l);
    return;
  }
  throw pathNotFound();
}
