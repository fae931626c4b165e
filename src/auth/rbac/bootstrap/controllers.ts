// The system:controller:* ClusterRoles of kube's controller policy (one per controller, bound
// to its service account in kube-system when kube-controller-manager runs with
// --use-service-account-credentials).
// keelson divergence: keelson's controller manager runs every controller under its own identity
// (user system:kube-controller-manager), so each system:controller:<name> binding also names
// that user (see bindings.ts); the roles themselves are kube's (those of controllers for
// resources keelson does not serve, DRA, ServiceCIDRs, VolumeAttributesClasses, are left out).
import { clusterRole, events, r, read } from './build.js';

const c = (name: string, rules: ReturnType<typeof r>[]) => clusterRole(`system:controller:${name}`, rules);

export const controllerClusterRoles = [
  c('attachdetach-controller', [
    r('list watch', 'core', 'persistentvolumes persistentvolumeclaims'),
    r(read, 'core', 'nodes'),
    r('patch update', 'core', 'nodes/status'),
    r('list watch', 'core', 'pods'),
    ...events(),
    r('get create delete list watch', 'storage.k8s.io', 'volumeattachments'),
    r(read, 'storage.k8s.io', 'csidrivers csinodes'),
  ]),
  c('clusterrole-aggregation-controller', [r('escalate get list watch update patch', 'rbac.authorization.k8s.io', 'clusterroles')]),
  c('cronjob-controller', [
    r(`${read} update`, 'batch', 'cronjobs'),
    r(`${read} create update delete patch`, 'batch', 'jobs'),
    r('update', 'batch', 'cronjobs/status cronjobs/finalizers'),
    r('list delete', 'core', 'pods'),
    ...events(),
  ]),
  c('daemon-set-controller', [
    r(read, 'apps extensions', 'daemonsets'),
    r('update', 'apps extensions', 'daemonsets/status daemonsets/finalizers'),
    r('list watch', 'core', 'nodes'),
    r('list watch create delete patch', 'core', 'pods'),
    r('create', 'core', 'pods/binding'),
    r(`${read} create delete update patch`, 'apps', 'controllerrevisions'),
    ...events(),
  ]),
  c('deployment-controller', [
    r(`${read} update`, 'apps extensions', 'deployments'),
    r('update', 'apps extensions', 'deployments/status deployments/finalizers'),
    r(`${read} create update patch delete`, 'apps extensions', 'replicasets'),
    r(`${read} update`, 'core', 'pods'),
    ...events(),
  ]),
  c('disruption-controller', [
    r(read, 'apps extensions', 'deployments replicasets'),
    r(read, 'core', 'replicationcontrollers'),
    r(read, 'policy', 'poddisruptionbudgets'),
    r(read, 'apps', 'statefulsets'),
    r('update', 'policy', 'poddisruptionbudgets/status'),
    r('patch update', 'core', 'pods/status'),
    r('get', '*', '*/scale'),
    ...events(),
  ]),
  c('endpoint-controller', [
    r(read, 'core', 'services pods'),
    r(`${read} create update delete`, 'core', 'endpoints'),
    r('create', 'core', 'endpoints/restricted'),
    ...events(),
  ]),
  c('endpointslice-controller', [r(read, 'core', 'services pods nodes'), r('update', 'core', 'services/finalizers'), r(`${read} create update delete`, 'discovery.k8s.io', 'endpointslices'), ...events()]),
  c('endpointslicemirroring-controller', [
    r(read, 'core', 'services endpoints'),
    r('update', 'core', 'services/finalizers endpoints/finalizers'),
    r(`${read} create update delete`, 'discovery.k8s.io', 'endpointslices'),
    ...events(),
  ]),
  c('ephemeral-volume-controller', [r(read, 'core', 'pods'), r('update', 'core', 'pods/finalizers'), r('get list watch create', 'core', 'persistentvolumeclaims'), ...events()]),
  c('expand-controller', [
    r('get list watch update patch', 'core', 'persistentvolumes'),
    r('update patch', 'core', 'persistentvolumeclaims/status'),
    r(read, 'core', 'persistentvolumeclaims'),
    ...events(),
  ]),
  c('generic-garbage-collector', [r('get list watch patch update delete', '*', '*'), ...events()]),
  c('horizontal-pod-autoscaler', [
    r(read, 'autoscaling', 'horizontalpodautoscalers'),
    r('update', 'autoscaling', 'horizontalpodautoscalers/status'),
    r('get update', '*', '*/scale'),
    r('list watch', 'core', 'pods'),
    r('list watch', 'metrics.k8s.io', 'pods'),
    r(read, 'custom.metrics.k8s.io', '*'),
    r(read, 'external.metrics.k8s.io', '*'),
    ...events(),
  ]),
  c('job-controller', [
    r(`${read} update patch`, 'batch', 'jobs'),
    r('update', 'batch', 'jobs/status jobs/finalizers'),
    r('list watch create delete patch', 'core', 'pods'),
    ...events(),
  ]),
  c('namespace-controller', [
    r('get list watch delete', 'core', 'namespaces'),
    r('update', 'core', 'namespaces/finalize namespaces/status'),
    r(`${read} delete deletecollection`, '*', '*'),
  ]),
  c('legacy-service-account-token-cleaner', [r('get', 'core', 'configmaps', 'kube-apiserver-legacy-service-account-token-tracking'), r('delete patch', 'core', 'secrets')]),
  c('node-controller', [
    r(`${read} update delete patch`, 'core', 'nodes'),
    r('patch update', 'core', 'nodes/status'),
    r('patch update', 'core', 'pods/status'),
    r(`${read} delete`, 'core', 'pods'),
    ...events(),
  ]),
  c('persistent-volume-binder', [
    r(`${read} update create delete`, 'core', 'persistentvolumes'),
    r('update', 'core', 'persistentvolumes/status'),
    r(`${read} update`, 'core', 'persistentvolumeclaims'),
    r('update', 'core', 'persistentvolumeclaims/status'),
    r(`${read} create delete`, 'core', 'pods'),
    r(read, 'storage.k8s.io', 'storageclasses'),
    r('list watch', 'core', 'nodes'),
    ...events(),
    r('watch', 'core', 'events'),
  ]),
  c('pod-garbage-collector', [r('list watch delete', 'core', 'pods'), r(read, 'core', 'nodes'), r('patch', 'core', 'pods/status')]),
  c('replicaset-controller', [
    r(`${read} update`, 'apps extensions', 'replicasets'),
    r('update', 'apps extensions', 'replicasets/status replicasets/finalizers'),
    r('list watch patch create delete', 'core', 'pods'),
    ...events(),
  ]),
  c('replication-controller', [
    r(`${read} update`, 'core', 'replicationcontrollers'),
    r('update', 'core', 'replicationcontrollers/status replicationcontrollers/finalizers'),
    r('list watch patch create delete', 'core', 'pods'),
    ...events(),
  ]),
  c('resourcequota-controller', [r('list watch', '*', '*'), r('update', 'core', 'resourcequotas/status'), ...events()]),
  c('route-controller', [r('list watch', 'core', 'nodes'), r('patch', 'core', 'nodes/status'), ...events()]),
  c('service-account-controller', [r('create', 'core', 'serviceaccounts'), ...events()]),
  c('service-controller', [r(read, 'core', 'services'), r('patch update', 'core', 'services/status'), r('list watch', 'core', 'nodes'), ...events()]),
  c('statefulset-controller', [
    r('list watch', 'core', 'pods'),
    r(read, 'apps', 'statefulsets'),
    r('update', 'apps', 'statefulsets/status statefulsets/finalizers'),
    r('get create delete update patch', 'core', 'pods'),
    r(`get create delete update patch list watch`, 'apps', 'controllerrevisions'),
    r(`create ${read}`, 'core', 'persistentvolumeclaims'),
    r('update delete', 'core', 'persistentvolumeclaims'),
    r('update', 'core', 'pods/finalizers'),
    ...events(),
  ]),
  c('ttl-controller', [r('update patch list watch', 'core', 'nodes'), ...events()]),
  c('certificate-controller', [
    r(`${read} delete`, 'certificates.k8s.io', 'certificatesigningrequests'),
    r('update', 'certificates.k8s.io', 'certificatesigningrequests/status certificatesigningrequests/approval'),
    r('approve', 'certificates.k8s.io', 'signers', 'kubernetes.io/kube-apiserver-client-kubelet'),
    r('sign', 'certificates.k8s.io', 'signers', 'kubernetes.io/kube-apiserver-client kubernetes.io/kube-apiserver-client-kubelet kubernetes.io/kubelet-serving kubernetes.io/legacy-unknown'),
    r('create', 'authorization.k8s.io', 'subjectaccessreviews'),
    ...events(),
  ]),
  c('pvc-protection-controller', [r(`${read} update`, 'core', 'persistentvolumeclaims'), r('update', 'core', 'persistentvolumeclaims/status'), r(read, 'core', 'pods'), ...events()]),
  c('pv-protection-controller', [r(`${read} update`, 'core', 'persistentvolumes'), ...events()]),
  c('ttl-after-finished-controller', [r(`${read} delete`, 'batch', 'jobs'), ...events()]),
  c('root-ca-cert-publisher', [r('create update', 'core', 'configmaps'), ...events()]),
];

/** Controller name -> kube-system service account kube binds its role to. */
export const controllerServiceAccounts = controllerClusterRoles.map((role) => {
  const name = (role.metadata!.name as string).slice('system:controller:'.length);
  return { role: role.metadata!.name as string, sa: name };
});
