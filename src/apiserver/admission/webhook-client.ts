// Calling one admission webhook: where it is (clientConfig.url, or clientConfig.service
// resolved through the Service's ready endpoints, else its ClusterIP, verified as
// <name>.<namespace>.svc), HTTPS with the caBundle as the only trusted CA (system roots without
// one), the webhook's timeout (default 10 s, also sent as ?timeout=), and the AdmissionReview
// response checked as kube checks it.
import { request as httpsRequest } from 'node:https';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { getObject } from './lookup.js';

export interface Target {
  url: URL;
  /** TLS name to verify (service DNS name) when connecting to an IP. */
  servername?: string;
}

/** Where the webhook's clientConfig points. */
export async function resolveTarget(resources: Resources, cc: KObject): Promise<Target> {
  if (cc.url) return { url: new URL(cc.url) };
  const s = cc.service ?? {};
  const port = s.port ?? 443;
  const svc = await getObject(resources, ['', 'v1', 'services'], s.namespace, s.name);
  if (!svc) throw new Error(`service "${s.name}" not found`);
  const sp = (svc.spec?.ports ?? []).find((p: KObject) => p.port === port);
  if (!sp) throw new Error(`unable to find service port ${port} in service ${s.namespace}/${s.name}`);
  const servername = `${s.name}.${s.namespace}.svc`;
  const path = s.path ?? '/';
  let host: string | undefined;
  let hostPort = port;
  const eps = await getObject(resources, ['', 'v1', 'endpoints'], s.namespace, s.name);
  for (const sub of eps?.subsets ?? []) {
    const ep = (sub.ports ?? []).find((p: KObject) => (sp.name ? p.name === sp.name : true));
    if (sub.addresses?.length && ep) {
      host = sub.addresses[0].ip;
      hostPort = ep.port;
      break;
    }
  }
  if (!host) {
    if (!svc.spec?.clusterIP || svc.spec.clusterIP === 'None') throw new Error(`no endpoints for service ${s.namespace}/${s.name}`);
    host = svc.spec.clusterIP;
  }
  const h = host!.includes(':') ? `[${host}]` : host;
  return { url: new URL(`https://${h}:${hostPort}${path.startsWith('/') ? path : '/' + path}`), servername };
}

/** POST the review; resolves with the parsed AdmissionReview response or throws a Go-like error text. */
export function callWebhook(target: Target, caBundle: string | undefined, timeoutSeconds: number, review: KObject): Promise<KObject> {
  const url = new URL(target.url);
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  const body = Buffer.from(JSON.stringify(review));
  const ca = caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : undefined;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`Post "${url.toString()}": ${why}`));
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': body.length },
        ca,
        servername: target.servername,
        timeout: timeoutSeconds * 1000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) return reject(new Error(`received non-2xx status ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text));
          } catch (e) {
            reject(new Error(`received invalid webhook response: ${(e as Error).message}`));
          }
        });
        res.on('error', (e) => fail(e.message));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      fail('context deadline exceeded');
    }, timeoutSeconds * 1000);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => {
      req.destroy();
      fail('context deadline exceeded');
    });
    req.on('error', (e) => fail(e.message));
    req.end(body);
  });
}
