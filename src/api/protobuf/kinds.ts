// Which protobuf message decodes the `raw` bytes of a runtime.Unknown envelope, chosen by the
// envelope's apiVersion and kind (exactly as Kubernetes' scheme registers them).

const CORE = 'k8s.io.api.core.v1';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** `${apiVersion} ${kind}` -> fully qualified message name. */
const TYPES: Record<string, string> = {};

function add(apiVersion: string, pkg: string, kinds: string[]): void {
  for (const kind of kinds) TYPES[`${apiVersion} ${kind}`] = `${pkg}.${kind}`;
}

add('v1', CORE, [
  'Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'ResourceQuota', 'Pod',
  'PodTemplate', 'Binding', 'PersistentVolumeClaim',
  // written by cluster components (client-go sends protobuf): see schema/core-cluster.ts
  'Node', 'Event', 'Endpoints', 'LimitRange', 'ReplicationController', 'PersistentVolume',
]);
add('apps/v1', 'k8s.io.api.apps.v1', [
  'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision',
]);
add('batch/v1', 'k8s.io.api.batch.v1', ['Job', 'CronJob']);
add('rbac.authorization.k8s.io/v1', 'k8s.io.api.rbac.v1', [
  'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding',
]);
add('scheduling.k8s.io/v1', 'k8s.io.api.scheduling.v1', ['PriorityClass']);
add('node.k8s.io/v1', 'k8s.io.api.node.v1', ['RuntimeClass']);
add('policy/v1', 'k8s.io.api.policy.v1', ['PodDisruptionBudget', 'Eviction']);
add('networking.k8s.io/v1', 'k8s.io.api.networking.v1', ['Ingress', 'IngressClass']);
add('authentication.k8s.io/v1', 'k8s.io.api.authentication.v1', ['TokenRequest', 'TokenReview', 'SelfSubjectReview']);
add('authorization.k8s.io/v1', 'k8s.io.api.authorization.v1', [
  'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview',
]);
add('autoscaling/v1', 'k8s.io.api.autoscaling.v1', ['HorizontalPodAutoscaler', 'Scale']);
add('autoscaling/v2', 'k8s.io.api.autoscaling.v2', ['HorizontalPodAutoscaler']);
add('certificates.k8s.io/v1', 'k8s.io.api.certificates.v1', ['CertificateSigningRequest']);
add('coordination.k8s.io/v1', 'k8s.io.api.coordination.v1', ['Lease']);
add('discovery.k8s.io/v1', 'k8s.io.api.discovery.v1', ['EndpointSlice']);
add('events.k8s.io/v1', 'k8s.io.api.events.v1', ['Event']);

/**
 * Option types that metav1.AddToGroupVersion registers in every group version, so a client may
 * send them under any apiVersion (client-go encodes DeleteOptions with its client's group
 * version, e.g. `v1` for pods, `policy/v1` for evictions).
 */
const OPTION_KINDS: Record<string, string> = {
  DeleteOptions: `${META}.DeleteOptions`,
  CreateOptions: `${META}.CreateOptions`,
  PatchOptions: `${META}.PatchOptions`,
  UpdateOptions: `${META}.UpdateOptions`,
  Status: `${META}.Status`,
};

/** The message type for an envelope's apiVersion and kind, or undefined if keelson has no schema. */
export function messageTypeFor(apiVersion: string, kind: string): string | undefined {
  return TYPES[`${apiVersion} ${kind}`] ?? OPTION_KINDS[kind];
}

/** Every `apiVersion kind` pair with a schema (options kinds excluded), for docs and tests. */
export function supportedProtobufKinds(): Array<{ apiVersion: string; kind: string }> {
  return Object.keys(TYPES).map((k) => {
    const [apiVersion, kind] = k.split(' ');
    return { apiVersion, kind };
  });
}
