// The user-facing ClusterRoles of kube's bootstrap policy: cluster-admin, and admin/edit/view
// built by aggregation from the system:aggregate-to-* roles (so CRD authors can extend them by
// labelling their own ClusterRoles).
import { clusterRole, nr, r, read, readWrite } from './build.js';

const agg = (to: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });

export const userFacingClusterRoles = [
  clusterRole('cluster-admin', [r('*', '*', '*'), nr('*', '*')]),
  clusterRole('admin', [], { aggregateFrom: 'admin' }),
  clusterRole('edit', [], { aggregateFrom: 'edit', labels: agg('admin') }),
  clusterRole('view', [], { aggregateFrom: 'view', labels: agg('edit') }),
  clusterRole(
    'system:aggregate-to-admin',
    [r(`${readWrite} get list watch`, 'rbac.authorization.k8s.io', 'roles rolebindings'), r('create', 'authorization.k8s.io', 'localsubjectaccessreviews')],
    { labels: agg('admin') },
  ),
  clusterRole(
    'system:aggregate-to-edit',
    [
      r(read, 'core', 'pods/attach pods/exec pods/portforward pods/proxy secrets services/proxy'),
      r('impersonate', 'core', 'serviceaccounts'),
      r(readWrite, 'core', 'pods pods/attach pods/proxy pods/exec pods/portforward'),
      r('create', 'core', 'pods/eviction'),
      r(readWrite, 'core', 'replicationcontrollers replicationcontrollers/scale serviceaccounts services services/proxy persistentvolumeclaims configmaps secrets events'),
      r('create', 'core', 'serviceaccounts/token'),
      r(readWrite, 'apps', 'statefulsets statefulsets/scale daemonsets deployments deployments/scale deployments/rollback replicasets replicasets/scale'),
      r(readWrite, 'autoscaling', 'horizontalpodautoscalers'),
      r(readWrite, 'batch', 'jobs cronjobs'),
      r(readWrite, 'extensions', 'daemonsets deployments deployments/scale deployments/rollback ingresses networkpolicies replicasets replicasets/scale replicationcontrollers/scale'),
      r(readWrite, 'policy', 'poddisruptionbudgets'),
      r(readWrite, 'networking.k8s.io', 'networkpolicies ingresses'),
      r(readWrite, 'coordination.k8s.io', 'leases'),
    ],
    { labels: agg('edit') },
  ),
  clusterRole(
    'system:aggregate-to-view',
    [
      r(read, 'core', 'pods replicationcontrollers replicationcontrollers/scale serviceaccounts services services/status endpoints persistentvolumeclaims persistentvolumeclaims/status configmaps'),
      r(read, 'core', 'limitranges resourcequotas bindings events pods/status resourcequotas/status namespaces/status replicationcontrollers/status pods/log'),
      r(read, 'core', 'namespaces'),
      r(read, 'discovery.k8s.io', 'endpointslices'),
      r(read, 'apps', 'controllerrevisions statefulsets statefulsets/status statefulsets/scale daemonsets daemonsets/status deployments deployments/status deployments/scale replicasets replicasets/status replicasets/scale'),
      r(read, 'autoscaling', 'horizontalpodautoscalers horizontalpodautoscalers/status'),
      r(read, 'batch', 'jobs cronjobs cronjobs/status jobs/status'),
      r(read, 'extensions', 'daemonsets daemonsets/status deployments deployments/scale deployments/status ingresses ingresses/status replicasets replicasets/scale replicasets/status replicationcontrollers/scale networkpolicies'),
      r(read, 'policy', 'poddisruptionbudgets poddisruptionbudgets/status'),
      r(read, 'networking.k8s.io', 'ingresses ingresses/status networkpolicies'),
    ],
    { labels: agg('view') },
  ),
  // metrics-server's role (keelson's apiserver serves metrics.k8s.io itself): `kubectl top` for
  // whoever may view, edit or admin.
  clusterRole('system:aggregated-metrics-reader', [r('get list watch', 'metrics.k8s.io', 'pods nodes')], { labels: { ...agg('view'), ...agg('edit'), ...agg('admin') } }),
];
