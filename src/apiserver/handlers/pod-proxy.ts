// pods/log and pods/exec: the apiserver finds the pod's node, its address (InternalIP first)
// and kubelet port (status.daemonEndpoints.kubeletEndpoint.Port), and proxies to the kubelet
// server, as kube's LogLocation / ExecLocation + the upgrade-aware proxy do. Logs stream over
// plain HTTP (text/plain). Exec: the WebSocket upgrade (v5/v4.channel.k8s.io) is relayed as raw
// bytes once the kubelet's 101 is through, so frames, pings and close codes pass both ways
// untouched. Kubelets serve TLS: the apiserver presents its kubelet client certificate
// (pki/apiserver-kubelet-client, O=system:masters) and verifies the kubelet's serving certificate
// only with --kubelet-certificate-authority (kube's default is not to). attach, SPDY/3.1 upgrades
// of exec and attach (kubectl's fallback), and portforward (SPDY/3.1, raw or tunnelled in
// WebSocket) are relayed the same way. pods/proxy, services/proxy and nodes/proxy: proxy.ts.
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { isIP } from 'node:net';
import type { Handler } from './context.js';
import { ApiError, badRequest } from '../status.js';
import { isUpgrade, takeUpgrade } from '../upgrade.js';
import type { KObject } from '../registry/strategy.js';

const dialTimeoutMs = 5000;

const reasons: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 429: 'TooManyRequests', 503: 'ServiceUnavailable', 504: 'Timeout' };

/** The container the request is for (defaulted when the pod has one), or kube's 400s. */
function containerOf(pod: KObject, name: string, requested: string | null): string {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: KObject) => c.name);
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: KObject) => c.name);
  const ephemeral: string[] = (pod.spec?.ephemeralContainers ?? []).map((c: KObject) => c.name);
  let container = requested ?? '';
  if (!container) {
    const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
    if (containers.length === 1) container = containers[0];
    else if (annotated && containers.includes(annotated)) container = annotated;
    else {
      let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
      if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
      if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
      throw badRequest(msg);
    }
  }
  if (![...containers, ...inits, ...ephemeral].includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** host:port of the kubelet running the pod. */
async function kubeletOf(h: Handler, pod: KObject, name: string): Promise<{ host: string; port: number; node: string }> {
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  return kubeletOfNode(h, nodeName);
}

/** host:port of a node's kubelet (its InternalIP first, status.daemonEndpoints' port). */
export async function kubeletOfNode(h: Handler, nodeName: string): Promise<{ host: string; port: number; node: string }> {
  const nodes = h.state.resources.storeFor('', 'nodes');
  if (!nodes) throw new ApiError(500, 'InternalError', 'no nodes resource');
  const node = await nodes.get('', nodeName);
  const addrs: KObject[] = node.status?.addresses ?? [];
  const addr = ['InternalIP', 'ExternalIP', 'Hostname'].map((t) => addrs.find((a) => a.type === t)?.address).find(Boolean);
  if (!addr) throw badRequest(`node ${nodeName} has no address`);
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port) || 10250;
  return { host: addr, port, node: nodeName };
}

const enc = encodeURIComponent;
const hostPort = (k: { host: string; port: number }) => `${k.host.includes(':') ? `[${k.host}]` : k.host}:${k.port}`;

/** TLS options for a connection to a kubelet. */
export function tlsTo(h: Handler, host: string) {
  const c = h.state.kubeletClient ?? {};
  return { cert: c.cert, key: c.key, ca: c.ca, rejectUnauthorized: !!c.ca, servername: isIP(host) ? undefined : host };
}

function dialError(k: { host: string; port: number }, path: string, e: Error): ApiError {
  return new ApiError(500, 'InternalError', `Get "https://${hostPort(k)}${path}": dial tcp ${hostPort(k)}: ${(e as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message}`);
}

/** A non-2xx kubelet answer as a Status with the kubelet's text (generic response checker). */
async function kubeletError(res: IncomingMessage): Promise<ApiError> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    text += chunk;
    if (text.length > 64 * 1024) break;
  }
  const code = res.statusCode ?? 500;
  return new ApiError(code, reasons[code] ?? 'InternalError', text.trim() || `the kubelet answered ${code}`);
}

export async function handlePodLog(h: Handler, pod: KObject): Promise<void> {
  if (h.info.verb !== 'get') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const name = h.info.name;
  const container = containerOf(pod, name, h.query.get('container'));
  for (const k of ['tailLines', 'limitBytes', 'sinceSeconds']) {
    const v = h.query.get(k);
    if (v === null) continue;
    const n = Number(v);
    if (!Number.isInteger(n)) throw badRequest(`${k}: Invalid value: "${v}": must be an integer`);
    if (k === 'tailLines' && n < 0) throw invalidLogOption(name, 'tailLines', n, 'must be greater than or equal to 0');
    if (k !== 'tailLines' && n < 1) throw invalidLogOption(name, k, n, 'must be greater than 0');
  }
  if (h.query.has('sinceSeconds') && h.query.has('sinceTime')) throw invalidLogOption(name, 'sinceSeconds', Number(h.query.get('sinceSeconds')), 'at most one of sinceTime or sinceSeconds may be specified');
  const kubelet = await kubeletOf(h, pod, name);
  const q = new URLSearchParams();
  for (const k of ['follow', 'tailLines', 'timestamps', 'previous', 'sinceSeconds', 'sinceTime', 'limitBytes']) for (const v of h.query.getAll(k)) q.append(k, v);
  const path = `/containerLogs/${enc(h.ctx.namespace)}/${enc(name)}/${enc(container)}${q.size ? `?${q}` : ''}`;
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = httpsRequest({ host: kubelet.host, port: kubelet.port, path, method: 'GET', timeout: dialTimeoutMs, agent: false, ...tlsTo(h, kubelet.host) });
    r.once('response', (res) => {
      r.setTimeout(0);
      resolve(res);
    });
    r.once('timeout', () => r.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
    r.once('error', (e) => reject(dialError(kubelet, path, e)));
    h.req.once('close', () => r.destroy());
    r.end();
  });
  if ((upstream.statusCode ?? 500) >= 300) throw await kubeletError(upstream);
  h.res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  h.res.flushHeaders();
  await new Promise<void>((resolve) => {
    h.res.once('close', () => {
      upstream.destroy();
      resolve();
    });
    upstream.once('error', () => h.res.destroy());
    upstream.once('end', () => h.res.end());
    upstream.pipe(h.res, { end: false });
  });
}

function invalidLogOption(name: string, field: string, value: number, why: string): ApiError {
  return new ApiError(422, 'Invalid', `PodLogOptions "${name}" is invalid: ${field}: Invalid value: ${value}: ${why}`, { name, kind: 'PodLogOptions', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${why}`, field }] });
}

export async function handlePodExec(h: Handler, pod: KObject): Promise<void> {
  const name = h.info.name;
  const container = containerOf(pod, name, h.query.get('container'));
  const commands = h.query.getAll('command');
  if (!commands.length) throw badRequest('you must specify at least one command for the container');
  const kubelet = await kubeletOf(h, pod, name);
  if (!isUpgrade(h.req)) throw badRequest('Upgrade request required');
  const upgrade = String(h.req.headers.upgrade ?? '').toLowerCase();
  if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') throw badRequest(`unable to upgrade connection: "${h.req.headers.upgrade}" is not supported; exec is served over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) and SPDY/3.1`);
  const q = new URLSearchParams();
  for (const k of ['command', 'stdin', 'stdout', 'stderr', 'tty']) for (const v of h.query.getAll(k)) q.append(k, v);
  const path = `/exec/${enc(h.ctx.namespace)}/${enc(name)}/${enc(container)}?${q}`;
  return relayUpgrade(h, kubelet, path);
}

/** pods/attach: as exec (WebSocket only), to the kubelet's /attach. */
export async function handlePodAttach(h: Handler, pod: KObject): Promise<void> {
  const name = h.info.name;
  const container = containerOf(pod, name, h.query.get('container'));
  const kubelet = await kubeletOf(h, pod, name);
  if (!isUpgrade(h.req)) throw badRequest('Upgrade request required');
  const upgrade = String(h.req.headers.upgrade ?? '').toLowerCase();
  if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') throw badRequest(`unable to upgrade connection: "${h.req.headers.upgrade}" is not supported; attach is served over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) and SPDY/3.1`);
  const q = new URLSearchParams();
  for (const k of ['stdin', 'stdout', 'stderr', 'tty']) for (const v of h.query.getAll(k)) q.append(k, v);
  return relayUpgrade(h, kubelet, `/attach/${enc(h.ctx.namespace)}/${enc(name)}/${enc(container)}?${q}`);
}

/** pods/portforward: SPDY/3.1 tunnelled in WebSocket (kubectl 1.31+) or a raw SPDY upgrade, relayed
 * to the kubelet's /portForward. */
export async function handlePodPortForward(h: Handler, pod: KObject): Promise<void> {
  const name = h.info.name;
  for (const p of h.query.getAll('ports')) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw badRequest(`PodPortForwardOptions "${name}" is invalid: ports: Invalid value: "${p}": must be between 1 and 65535, inclusive`);
  }
  const kubelet = await kubeletOf(h, pod, name);
  if (!isUpgrade(h.req)) throw badRequest('Upgrade request required');
  const q = new URLSearchParams();
  for (const v of h.query.getAll('ports')) q.append('port', v);
  return relayUpgrade(h, kubelet, `/portForward/${enc(h.ctx.namespace)}/${enc(name)}${q.size ? `?${q}` : ''}`);
}

/** Relays an upgrade request to the kubelet as raw bytes once its answer is through. */
async function relayUpgrade(h: Handler, kubelet: { host: string; port: number }, path: string): Promise<void> {
  const backend = tlsConnect({ host: kubelet.host, port: kubelet.port, ...tlsTo(h, kubelet.host) });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => backend.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })), dialTimeoutMs);
    backend.once('secureConnect', () => {
      clearTimeout(t);
      resolve();
    });
    backend.once('error', (e) => {
      clearTimeout(t);
      reject(dialError(kubelet, path, e));
    });
  });
  const taken = takeUpgrade(h.req);
  if (!taken) {
    backend.destroy();
    return;
  }
  const { socket, head } = taken;
  // The request as the kubelet gets it: its own path and Host, no credentials of the user.
  const skip = new Set(['host', 'authorization', 'cookie', 'proxy-authorization', 'impersonate-user', 'impersonate-group']);
  const lines = [`${h.req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${hostPort(kubelet)}`];
  const raw = h.req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (!skip.has(raw[i].toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  backend.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) backend.write(head);
  const done = () => {
    socket.destroy();
    backend.destroy();
  };
  backend.on('error', done);
  socket.on('error', done);
  backend.on('close', () => socket.end());
  socket.on('close', () => backend.destroy());
  backend.pipe(socket);
  socket.pipe(backend);
}
