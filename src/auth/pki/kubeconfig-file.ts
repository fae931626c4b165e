// Writing kubeconfig files that the real kubectl uses as they are: one cluster, one user, one
// context, credentials embedded (certificate-authority-data, client-certificate-data, ...).
import { writeFileSync, renameSync, mkdirSync, chmodSync, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

export interface KubeconfigSpec {
  server: string;
  clusterName?: string;
  userName?: string;
  contextName?: string;
  namespace?: string;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  token?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const cluster = spec.clusterName ?? 'keelson';
  const user = spec.userName ?? 'admin';
  const context = spec.contextName ?? cluster;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: spec.server, ...(spec.caCert ? { 'certificate-authority-data': b64(spec.caCert) } : {}) } }],
    users: [
      {
        name: user,
        user: {
          ...(spec.clientCert ? { 'client-certificate-data': b64(spec.clientCert) } : {}),
          ...(spec.clientKey ? { 'client-key-data': b64(spec.clientKey) } : {}),
          ...(spec.token ? { token: spec.token } : {}),
        },
      },
    ],
    contexts: [{ name: context, context: { cluster, user, ...(spec.namespace ? { namespace: spec.namespace } : {}) } }],
    'current-context': context,
    preferences: {},
  };
  return stringify(doc);
}

/** Write a kubeconfig atomically with mode 0600 (it holds credentials). */
export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, kubeconfigYaml(spec), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

type Named = { name: string; [k: string]: unknown };
const upsert = (list: Named[] | undefined, item: Named): Named[] => [...(list ?? []).filter((x) => x.name !== item.name), item];

/**
 * Merge the cluster, user and context of `spec` into an existing kubeconfig (as `kind` and
 * `k3s` do when asked): entries of the same names are replaced, others kept, and the context
 * becomes current. The file is created if missing; written atomically, mode 0600.
 */
export function mergeKubeconfig(path: string, spec: KubeconfigSpec): void {
  const ours = parse(kubeconfigYaml(spec));
  const doc = existsSync(path) ? (parse(readFileSync(path, 'utf8')) ?? {}) : {};
  const merged = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    ...doc,
    clusters: upsert(doc.clusters, ours.clusters[0]),
    users: upsert(doc.users, ours.users[0]),
    contexts: upsert(doc.contexts, ours.contexts[0]),
    'current-context': ours['current-context'],
  };
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, stringify(merged), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
