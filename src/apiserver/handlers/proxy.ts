// The proxy subresources (what `kubectl proxy` + curl and `kubectl get --raw .../proxy/...` use):
//   pods/<[scheme:]name[:port]>/proxy/<path>      -> the pod's IP (port: the one named, else
//                                                    the first container port declared)
//   services/<[scheme:]name[:port]>/proxy/<path>  -> one ready endpoint of the service port
//                                                    (by name or number)
//   nodes/<name[:port]>/proxy/<path>              -> the node's kubelet (TLS, the apiserver's
//                                                    kubelet client certificate), or another
//                                                    port on the node over plain HTTP
// as kube's ResourceLocation for each kind picks them. The request (method, remaining path,
// query, body up to the request size limit) goes to the target as is, without the client's
// credentials; the answer comes back with its status, headers and body. Not done (kube does them): rewriting links and
// Location headers in proxied HTML, and upgrades (WebSocket) through the proxy.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Handler } from './context.js';
import { ApiError, badRequest, serviceUnavailable } from '../status.js';
import { kubeletOfNode, tlsTo } from './pod-proxy.js';
import type { KObject } from '../registry/strategy.js';

interface Target {
  scheme: 'http' | 'https';
  host: string;
  port?: number;
  /** TLS to a kubelet: the apiserver's client certificate. */
  kubelet?: boolean;
}

/** utilnet.SplitSchemeNamePort: name, name:port or scheme:name:port. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme, name, port };
}

const hop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'authorization', 'host', 'impersonate-user', 'impersonate-group', 'impersonate-uid']);

const hostPort = (t: Target) => `${t.host.includes(':') ? `[${t.host}]` : t.host}${t.port ? `:${t.port}` : ''}`;

async function podTarget(h: Handler, id: { scheme: string; name: string; port: string }): Promise<Target> {
  const pod = await h.served.store.get(h.ctx.namespace, id.name);
  let port = id.port;
  if (!port)
    for (const c of (pod.spec?.containers ?? []) as KObject[])
      if (c.ports?.length) {
        port = String(c.ports[0].containerPort);
        break;
      }
  const ip: string = pod.status?.podIP ?? '';
  if (!ip) throw badRequest('address not allowed');
  return { scheme: id.scheme === 'https' ? 'https' : 'http', host: ip, port: port ? Number(port) : undefined };
}

async function serviceTarget(h: Handler, id: { scheme: string; name: string; port: string }, raw: string): Promise<Target> {
  const svc = await h.served.store.get(h.ctx.namespace, id.name);
  let portName = id.port;
  if (/^\d+$/.test(portName)) {
    const p = ((svc.spec?.ports ?? []) as KObject[]).find((x) => x.port === Number(portName));
    if (!p) throw serviceUnavailable(`no service port ${portName} found for service "${id.name}"`);
    portName = p.name ?? '';
  }
  const eps = h.state.resources.storeFor('', 'endpoints');
  if (!eps) throw new ApiError(500, 'InternalError', 'no endpoints resource');
  const ep = await eps.get(h.ctx.namespace, id.name);
  const subsets: KObject[] = ep.subsets ?? [];
  if (!subsets.length) throw serviceUnavailable(`no endpoints available for service "${id.name}"`);
  const start = Math.floor(Math.random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(start + i) % subsets.length];
    const port = ((ss.ports ?? []) as KObject[]).find((p) => (p.name ?? '') === portName);
    const addrs: KObject[] = ss.addresses ?? [];
    if (!port || !addrs.length) continue;
    const a = addrs[Math.floor(Math.random() * addrs.length)];
    return { scheme: id.scheme === 'https' ? 'https' : 'http', host: a.ip, port: port.port };
  }
  throw serviceUnavailable(`no endpoints available for service "${raw}"`);
}

async function nodeTarget(h: Handler, id: { scheme: string; name: string; port: string }): Promise<Target> {
  const k = await kubeletOfNode(h, id.name);
  if (!id.port || Number(id.port) === k.port) return { scheme: 'https', host: k.host, port: k.port, kubelet: true };
  return { scheme: id.scheme === 'https' ? 'https' : 'http', host: k.host, port: Number(id.port) };
}

export async function handleProxy(h: Handler): Promise<void> {
  const resource = h.served.strategy.info.resource;
  const kind = resource === 'pods' ? 'pod' : resource === 'services' ? 'service' : 'node';
  const id = splitSchemeNamePort(h.info.name);
  if (!id || (resource === 'nodes' && id.scheme)) throw badRequest(`invalid ${kind} request "${h.info.name}"`);
  const target = resource === 'pods' ? await podTarget(h, id) : resource === 'services' ? await serviceTarget(h, id, h.info.name) : await nodeTarget(h, id);
  const url = h.req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const m = /\/proxy(\/.*)?$/.exec(path.slice(path.indexOf(`/${resource}/`)));
  const upstreamPath = (m?.[1] ?? '/') + (q < 0 ? '' : url.slice(q));
  const headers: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h.req.headers)) if (!hop.has(k) && v !== undefined) headers[k] = v;
  headers.host = hostPort(target);
  const send = target.scheme === 'https' ? httpsRequest : httpRequest;
  const tls = target.kubelet ? tlsTo(h, target.host) : target.scheme === 'https' ? { rejectUnauthorized: false } : {};
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = send({ host: target.host, port: target.port, path: upstreamPath, method: h.req.method, headers, agent: false, timeout: 30_000, ...tls });
    r.once('response', (res) => {
      r.setTimeout(0);
      resolve(res);
    });
    r.once('timeout', () => r.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
    r.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.code === 'ETIMEDOUT' ? 'i/o timeout' : e.message;
      reject(serviceUnavailable(`error trying to reach service: dial tcp ${hostPort({ ...target, port: target.port ?? (target.scheme === 'https' ? 443 : 80) })}: ${why}`));
    });
    // The client went away before the answer (the request's own 'close' only means its body ended).
    h.res.once('close', () => r.destroy());
    // The body is read whole first (within the apiserver's request size limit).
    h.body().then(
      (b) => r.end(b.length ? b : undefined),
      (e) => reject(e),
    );
  });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(upstream.headers)) if (!hop.has(k) && v !== undefined) out[k] = v;
  h.res.writeHead(upstream.statusCode ?? 502, out);
  await new Promise<void>((resolve) => {
    h.res.once('close', () => {
      upstream.destroy();
      resolve();
    });
    upstream.once('error', () => h.res.destroy());
    upstream.pipe(h.res);
  });
}
