// The ClusterRoleBindings of kube's bootstrap policy, and the namespaced Roles and RoleBindings
// it creates in kube-system and kube-public (leader locking, the extension-apiserver
// authentication reader, bootstrap signer, token cleaner, cloud provider).
// keelson divergence: the kubelets of `keelson server` use the Node authorizer as in kube (the
// system:node ClusterRoleBinding has no subjects), and user system:kube-controller-manager is a
// subject of every system:controller:* binding (one identity for all controllers).
// `keelson server` plays kubeadm init too, so kubeadm's node-join bindings are here: bootstrap
// tokens of group system:bootstrappers:kubeadm:default-node-token may create CSRs that the
// csrapproving controller approves (nodeclient), nodes may renew their own (selfnodeclient), and
// anyone may read kube-public/cluster-info (token discovery). Divergence: `keelson agent` runs
// its service proxy as the node (kubeadm runs kube-proxy as a DaemonSet with its own service
// account), so group system:nodes is bound to the read-only system:node-proxier role.
import { clusterRoleBinding, events, r, read, role, roleBinding } from './build.js';
import { controllerServiceAccounts } from './controllers.js';

const kcm = 'User:system:kube-controller-manager';
export const KUBEADM_NODE_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

export const clusterRoleBindings = [
  clusterRoleBinding('cluster-admin', 'cluster-admin', ['Group:system:masters']),
  clusterRoleBinding('system:monitoring', 'system:monitoring', ['Group:system:monitoring']),
  clusterRoleBinding('system:discovery', 'system:discovery', ['Group:system:authenticated']),
  clusterRoleBinding('system:basic-user', 'system:basic-user', ['Group:system:authenticated']),
  clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', ['Group:system:authenticated', 'Group:system:unauthenticated']),
  clusterRoleBinding('system:node-proxier', 'system:node-proxier', ['User:system:kube-proxy']),
  clusterRoleBinding('system:kube-controller-manager', 'system:kube-controller-manager', [kcm]),
  clusterRoleBinding('system:kube-dns', 'system:kube-dns', ['SA:kube-system:kube-dns']),
  clusterRoleBinding('system:kube-scheduler', 'system:kube-scheduler', ['User:system:kube-scheduler']),
  clusterRoleBinding('system:volume-scheduler', 'system:volume-scheduler', ['User:system:kube-scheduler']),
  clusterRoleBinding('system:node', 'system:node', []),
  clusterRoleBinding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', ['Group:system:serviceaccounts']),
  ...controllerServiceAccounts.map(({ role: name, sa }) => clusterRoleBinding(name, name, [`SA:kube-system:${sa}`, kcm])),
  clusterRoleBinding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [`Group:${KUBEADM_NODE_TOKEN_GROUP}`]),
  clusterRoleBinding('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [`Group:${KUBEADM_NODE_TOKEN_GROUP}`]),
  clusterRoleBinding('keelson:node-proxier', 'system:node-proxier', ['Group:system:nodes']),
  clusterRoleBinding('kubeadm:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', ['Group:system:nodes']),
];

export const namespacedRoles = [
  role('kube-system', 'extension-apiserver-authentication-reader', [r(read, 'core', 'configmaps', 'extension-apiserver-authentication')]),
  role('kube-system', 'system::leader-locking-kube-controller-manager', [r('watch', 'core', 'configmaps'), r('get update', 'core', 'configmaps', 'kube-controller-manager')]),
  role('kube-system', 'system::leader-locking-kube-scheduler', [r('watch', 'core', 'configmaps'), r('get update', 'core', 'configmaps', 'kube-scheduler')]),
  role('kube-system', 'system:controller:bootstrap-signer', [r(read, 'core', 'secrets')]),
  role('kube-system', 'system:controller:cloud-provider', [r(`create ${read}`, 'core', 'configmaps')]),
  role('kube-system', 'system:controller:token-cleaner', [r(`delete ${read}`, 'core', 'secrets'), ...events()]),
  role('kube-public', 'system:controller:bootstrap-signer', [r(read, 'core', 'configmaps'), r('update', 'core', 'configmaps', 'cluster-info'), ...events()]),
  role('kube-public', 'kubeadm:bootstrap-signer-clusterinfo', [r('get', 'core', 'configmaps', 'cluster-info')]),
];

export const namespacedRoleBindings = [
  roleBinding('kube-system', 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader', ['User:system:kube-controller-manager', 'User:system:kube-scheduler']),
  roleBinding('kube-system', 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager', ['User:system:kube-controller-manager', 'SA:kube-system:kube-controller-manager']),
  roleBinding('kube-system', 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', ['User:system:kube-scheduler', 'SA:kube-system:kube-scheduler']),
  roleBinding('kube-system', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', ['SA:kube-system:bootstrap-signer']),
  roleBinding('kube-system', 'system:controller:cloud-provider', 'system:controller:cloud-provider', ['SA:kube-system:cloud-provider']),
  roleBinding('kube-system', 'system:controller:token-cleaner', 'system:controller:token-cleaner', ['SA:kube-system:token-cleaner']),
  roleBinding('kube-public', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', ['SA:kube-system:bootstrap-signer']),
  roleBinding('kube-public', 'kubeadm:bootstrap-signer-clusterinfo', 'kubeadm:bootstrap-signer-clusterinfo', ['User:system:anonymous']),
];
