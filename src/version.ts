// keelson's own version and the Kubernetes API level it implements (what /version reports).
declare const KEELSON_VERSION: string | undefined;

export const keelsonVersion: string = typeof KEELSON_VERSION === 'string' ? KEELSON_VERSION : '0.1.0-dev';

/** The Kubernetes minor version keelson's API implements (kubectl picks its binary by it). */
export const kubernetesVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+keelson',
} as const;

/** The etcd version the store reports (etcd 3.4's API). */
export const etcdServerVersion = '3.4.23';
export const etcdClusterVersion = '3.4.0';
