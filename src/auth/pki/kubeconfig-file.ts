// Writing kubeconfig files that the real kubectl uses as they are: one cluster, one user, one
// context, credentials embedded (certificate-authority-data, client-certificate-data, ...).
import { writeFileSync, renameSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

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
