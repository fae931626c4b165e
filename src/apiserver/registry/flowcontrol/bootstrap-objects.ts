// The API Priority and Fairness configuration kube-apiserver creates and keeps (kube's
// apiserver/pkg/apis/flowcontrol/bootstrap): the mandatory objects (exempt, catch-all) and the
// suggested ones, with kube's specs and the apf.kubernetes.io/autoupdate-spec annotation.
// keelson stores and serves them; it does not schedule requests by them (see README).
import type { KObject } from '../strategy.js';

export const autoUpdateAnnotation = 'apf.kubernetes.io/autoupdate-spec';
const apiVersion = 'flowcontrol.apiserver.k8s.io/v1';

const allResources = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true };
const allNonResources = { verbs: ['*'], nonResourceURLs: ['*'] };
const groups = (...names: string[]) => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]) => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemSAs = (...names: string[]) => names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { name, namespace: 'kube-system' } }));
const kcm = 'system:kube-controller-manager';
const scheduler = 'system:kube-scheduler';
const everyone = groups('system:unauthenticated', 'system:authenticated');
const meta = (name: string) => ({ name, annotations: { [autoUpdateAnnotation]: 'true' } });

function pl(name: string, spec: KObject): KObject {
  return { apiVersion, kind: 'PriorityLevelConfiguration', metadata: meta(name), spec };
}
function limited(ncs: number, lendable: number, queuing?: { queues: number; handSize: number; queueLengthLimit: number }): KObject {
  return { type: 'Limited', limited: { nominalConcurrencyShares: ncs, lendablePercent: lendable, limitResponse: queuing ? { type: 'Queue', queuing } : { type: 'Reject' } } };
}
function fs(name: string, level: string, precedence: number, method: string | undefined, rules: KObject): KObject {
  const spec: KObject = { priorityLevelConfiguration: { name: level }, matchingPrecedence: precedence };
  if (method) spec.distinguisherMethod = { type: method };
  spec.rules = [rules];
  return { apiVersion, kind: 'FlowSchema', metadata: meta(name), spec };
}
const everything = (subjects: KObject[]) => ({ subjects, resourceRules: [allResources], nonResourceRules: [allNonResources] });
const rule = (verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope = false) => ({ verbs, apiGroups, resources, namespaces, clusterScope });

export const mandatoryPriorityLevels: KObject[] = [
  pl('exempt', { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }),
  pl('catch-all', limited(5, 0)),
];

export const mandatoryFlowSchemas: KObject[] = [
  fs('exempt', 'exempt', 1, undefined, everything(groups('system:masters'))),
  fs('catch-all', 'catch-all', 10000, 'ByUser', everything(everyone)),
];

export const suggestedPriorityLevels: KObject[] = [
  pl('system', limited(30, 33, { queues: 64, handSize: 6, queueLengthLimit: 50 })),
  pl('node-high', limited(40, 25, { queues: 64, handSize: 6, queueLengthLimit: 50 })),
  pl('leader-election', limited(10, 0, { queues: 16, handSize: 4, queueLengthLimit: 50 })),
  pl('workload-high', limited(40, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 })),
  pl('workload-low', limited(100, 90, { queues: 128, handSize: 6, queueLengthLimit: 50 })),
  pl('global-default', limited(20, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 })),
];

export const suggestedFlowSchemas: KObject[] = [
  fs('system-nodes', 'system', 500, 'ByUser', everything(groups('system:nodes'))),
  fs('system-node-high', 'node-high', 400, 'ByUser', {
    subjects: groups('system:nodes'),
    resourceRules: [rule(['*'], [''], ['nodes', 'nodes/status'], ['*'], true), rule(['*'], ['coordination.k8s.io'], ['leases'], ['*'])],
  }),
  fs('probes', 'exempt', 2, undefined, { subjects: everyone, nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }),
  fs('system-leader-election', 'leader-election', 100, 'ByUser', {
    subjects: [...users(kcm, scheduler), ...kubeSystemSAs('*')],
    resourceRules: [rule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], ['*'])],
  }),
  fs('workload-leader-election', 'leader-election', 200, 'ByUser', {
    subjects: kubeSystemSAs('*'),
    resourceRules: [rule(['get', 'create', 'update'], [''], ['endpoints', 'configmaps'], ['*']), rule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], ['*'])],
  }),
  fs('endpoint-controller', 'workload-high', 150, 'ByUser', {
    subjects: [...users(kcm), ...kubeSystemSAs('endpoint-controller', 'endpointslicemirroring-controller')],
    resourceRules: [rule(['get', 'create', 'update'], [''], ['endpoints'], ['*'])],
  }),
  fs('kube-controller-manager', 'workload-high', 800, 'ByNamespace', everything(users(kcm))),
  fs('kube-scheduler', 'workload-high', 800, 'ByNamespace', everything(users(scheduler))),
  fs('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', everything(kubeSystemSAs('*'))),
  fs('service-accounts', 'workload-low', 9000, 'ByUser', everything(groups('system:serviceaccounts'))),
  fs('global-default', 'global-default', 9900, 'ByUser', everything(everyone)),
];

/** The mandatory object of that name, if any. */
export const mandatoryPriorityLevel = (name: string) => mandatoryPriorityLevels.find((o) => o.metadata!.name === name);
export const mandatoryFlowSchema = (name: string) => mandatoryFlowSchemas.find((o) => o.metadata!.name === name);
