// Endpoint list and transport credentials for a real etcd cluster, as kube-apiserver's
// --etcd-servers / --etcd-cafile / --etcd-certfile / --etcd-keyfile take them.

import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export interface Endpoint {
  /** host:port as grpc-js dials it. */
  address: string;
  /** https:// (true), http:// (false), or no scheme given (undefined: TLS when TLS options are set). */
  tls: boolean | undefined;
  /** The endpoint as given (for messages). */
  url: string;
}

/**
 * Parse endpoints: `http://h:p`, `https://h:p`, `h:p` (plain), or one comma-separated string of
 * them (`http://a:2379,https://b:2379`). IPv6 hosts go in brackets.
 */
export function parseEndpoints(input: string[] | string): Endpoint[] {
  const parts = (Array.isArray(input) ? input : [input])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('etcd client: no endpoints given');
  return parts.map((url) => {
    if (/^unixs?:\/\//.test(url)) throw new Error(`etcd client: unix socket endpoints are not supported ("${url}")`);
    const m = /^(?:(https?):\/\/)?([^/]+?)\/?$/.exec(url);
    if (!m) throw new Error(`etcd client: invalid endpoint "${url}", expected http://host:port or https://host:port`);
    const address = m[2];
    if (!/:\d+$/.test(address)) throw new Error(`etcd client: endpoint "${url}" has no port`);
    return { address, tls: m[1] === undefined ? undefined : m[1] === 'https', url };
  });
}

/** PEM text as given, or read from the path. */
function pem(v: string): Buffer {
  return v.includes('-----BEGIN') ? Buffer.from(v) : readFileSync(v);
}

export interface TlsOptions {
  /** CA bundle (path or PEM) to verify the servers. */
  ca?: string;
  /** Client certificate (path or PEM) for mutual TLS. */
  cert?: string;
  /** Client key (path or PEM). */
  key?: string;
}

/**
 * Channel credentials: TLS for https:// endpoints, plain for http:// ones (as etcd's clientv3);
 * an endpoint without a scheme uses TLS when any TLS option is set.
 */
export function credentialsFor(ep: Endpoint, tls: TlsOptions): grpc.ChannelCredentials {
  const useTls = ep.tls ?? Boolean(tls.ca || tls.cert);
  if (!useTls) return grpc.credentials.createInsecure();
  if ((tls.cert && !tls.key) || (!tls.cert && tls.key)) throw new Error('etcd client: cert and key must be given together');
  return grpc.credentials.createSsl(
    tls.ca ? pem(tls.ca) : null,
    tls.key ? pem(tls.key) : null,
    tls.cert ? pem(tls.cert) : null,
  );
}
