// Loading a kubeconfig (the file kubectl uses) into what the REST client needs: the current
// context's server, credentials (token, client certificate) and CA.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import type { InProcessTransport } from './in-process.js';

export interface ClientConfig {
  /** Base URL of the apiserver: http(s)://host:port */
  server: string;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTLSVerify?: boolean;
  /** Client-side rate limit (client-go defaults: 5 qps, burst 10; components raise them). */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** Impersonation (kubectl --as / --as-group). */
  impersonateUser?: string;
  impersonateGroups?: string[];
  /** Connect to an apiserver of this process instead of `server`'s address (in-process.ts):
   * `keelson server`'s own components. `server` stays the address kubeconfigs name. */
  transport?: InProcessTransport;
}

interface NamedCluster { name: string; cluster: Record<string, any> }
interface NamedUser { name: string; user: Record<string, any> }
interface NamedContext { name: string; context: { cluster: string; user: string; namespace?: string } }

function fileOrData(base: string, file: unknown, data: unknown): Buffer | undefined {
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
  if (typeof file === 'string' && file) return readFileSync(isAbsolute(file) ? file : join(base, file));
  return undefined;
}

/** Parse a kubeconfig file; `context` overrides current-context. */
export function loadKubeconfig(path: string, context?: string): ClientConfig & { namespace?: string } {
  const doc = parse(readFileSync(path, 'utf8')) ?? {};
  return kubeconfigFromObject(doc, dirname(path), context);
}

export function kubeconfigFromObject(doc: Record<string, any>, baseDir: string, context?: string): ClientConfig & { namespace?: string } {
  const name = context ?? doc['current-context'];
  const contexts: NamedContext[] = doc.contexts ?? [];
  const ctx = contexts.find((c) => c.name === name) ?? contexts[0];
  if (!ctx) throw new Error(`kubeconfig has no context${name ? ` named "${name}"` : ''}`);
  const cluster = ((doc.clusters ?? []) as NamedCluster[]).find((c) => c.name === ctx.context.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`kubeconfig context "${ctx.name}" has no cluster server`);
  const user = ((doc.users ?? []) as NamedUser[]).find((u) => u.name === ctx.context.user)?.user ?? {};
  let token: string | undefined = user.token;
  if (!token && user.tokenFile) token = readFileSync(isAbsolute(user.tokenFile) ? user.tokenFile : join(baseDir, user.tokenFile), 'utf8').trim();
  return {
    server: String(cluster.server).replace(/\/+$/, ''),
    token,
    ca: fileOrData(baseDir, cluster['certificate-authority'], cluster['certificate-authority-data']),
    cert: fileOrData(baseDir, user['client-certificate'], user['client-certificate-data']),
    key: fileOrData(baseDir, user['client-key'], user['client-key-data']),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: ctx.context.namespace,
  };
}
