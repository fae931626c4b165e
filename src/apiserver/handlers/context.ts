// What every resource handler gets: the parsed request, the served resource, the pipeline and
// helpers to read the body and answer in the negotiated form.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../request-info.js';
import type { Resources, Served } from '../resources.js';
import type { Pipeline, UserInfo } from '../filters/pipeline.js';
import type { KObject } from '../registry/strategy.js';
import type { ComponentChecks } from '../registry/core/componentstatuses/checks.js';
import { newContext, type RequestContext } from '../registry/generic/context.js';
import { readBody, setWarnings, writeJson } from '../http-util.js';
import { decodeBody, negotiateResponse, type ResponseForm } from '../negotiation.js';
import { badRequest } from '../status.js';
import { parseIncludeObject, partialObjectMetadata, toTable } from '../table.js';

export interface ServerState {
  resources: Resources;
  pipeline: Pipeline;
  now(): Date;
  /** Default watch timeout range in seconds [min, max). */
  watchTimeout: [number, number];
  bookmarkIntervalMs: number;
  /** How the apiserver reaches kubelets (pods/log, pods/exec): TLS with its client certificate. */
  kubeletClient?: KubeletClientTls;
  /** What `kubectl get componentstatuses` checks (registry/core/componentstatuses/checks.ts). */
  componentStatuses?: ComponentChecks;
}

export interface KubeletClientTls {
  cert?: string;
  key?: string;
  /** Verify kubelets' serving certificates with this CA (`--kubelet-certificate-authority`);
   * absent: not verified, kube-apiserver's default. */
  ca?: string;
}

export interface Handler {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  served: Served;
  state: ServerState;
  user: UserInfo;
  ctx: RequestContext;
  form: ResponseForm;
  body(): Promise<Buffer>;
  /** Decode the body as an object (JSON, YAML or protobuf). */
  object(): Promise<KObject>;
}

export function makeHandler(req: IncomingMessage, res: ServerResponse, info: RequestInfo, query: URLSearchParams, served: Served, state: ServerState, user: UserInfo): Handler {
  let cached: Promise<Buffer> | undefined;
  const dryRun = parseDryRun(query);
  const fv = query.get('fieldValidation') ?? undefined;
  if (fv !== undefined && !['Ignore', 'Warn', 'Strict'].includes(fv)) throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
  const ctx = newContext(served.strategy.info.namespaced ? info.namespace : '', { user, dryRun, now: state.now, fieldManager: query.get('fieldManager') ?? undefined, fieldValidation: fv });
  const h: Handler = {
    req,
    res,
    info,
    query,
    served,
    state,
    user,
    ctx,
    form: negotiateResponse(req.headers.accept),
    body: () => (cached ??= readBody(req)),
    object: async () => decodeBody(await h.body(), req.headers['content-type']),
  };
  return h;
}

export function parseDryRun(q: URLSearchParams): boolean {
  const v = q.getAll('dryRun');
  for (const d of v) if (d !== 'All' && d !== '') throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
  return v.includes('All');
}

/** Answer an object in the negotiated form (object, Table or PartialObjectMetadata). */
export function respondObject(h: Handler, code: number, obj: KObject): void {
  setWarnings(h.res, h.ctx.warnings);
  if (h.form.kind === 'table' && h.info.verb === 'get') {
    writeJson(h.res, code, toTable(h.served.strategy, [obj], { includeObject: parseIncludeObject(h.query.get('includeObject')), version: h.form.version, now: h.state.now(), resourceVersion: obj.metadata?.resourceVersion }));
    return;
  }
  if (h.form.kind === 'partial' && h.info.verb === 'get') {
    writeJson(h.res, code, partialObjectMetadata(obj, h.form.version));
    return;
  }
  writeJson(h.res, code, obj);
}
