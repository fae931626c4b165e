// Every built-in kind's strategy, in discovery order (core first, then groups as kube-apiserver
// lists them). The generic store and the HTTP server register these.
//
// Notes for the store:
// - events.k8s.io/v1 events share storage with core/v1 events (storagePrefix 'events'); the
//   objects differ in shape (note/regarding/series vs message/involvedObject/count); the
//   events.k8s.io strategy's storageConversion keeps core/v1 Events in the store.
// - autoscaling/v1 HorizontalPodAutoscalers share the v2 storage the same way (v2 listed first:
//   the preferred version).
// - Subresources beyond status/scale: namespaces/finalize (finalizePrepareForUpdate in
//   core/namespaces), pods/binding and bindings (bindPod in core/bindings),
//   certificatesigningrequests/approval (approvalPrepareForUpdate in certificates/...).
import type { Strategy } from './strategy.js';
import { strategy as coreBindings } from './core/bindings/strategy.js';
import { strategy as coreConfigmaps } from './core/configmaps/strategy.js';
import { strategy as coreEndpoints } from './core/endpoints/strategy.js';
import { strategy as coreEvents } from './core/events/strategy.js';
import { strategy as coreLimitranges } from './core/limitranges/strategy.js';
import { strategy as coreNamespaces } from './core/namespaces/strategy.js';
import { strategy as coreNodes } from './core/nodes/strategy.js';
import { strategy as corePersistentvolumeclaims } from './core/persistentvolumeclaims/strategy.js';
import { strategy as corePersistentvolumes } from './core/persistentvolumes/strategy.js';
import { strategy as corePods } from './core/pods/strategy.js';
import { strategy as corePodtemplates } from './core/podtemplates/strategy.js';
import { strategy as coreReplicationcontrollers } from './core/replicationcontrollers/strategy.js';
import { strategy as coreResourcequotas } from './core/resourcequotas/strategy.js';
import { strategy as coreSecrets } from './core/secrets/strategy.js';
import { strategy as coreServiceaccounts } from './core/serviceaccounts/strategy.js';
import { strategy as coreServices } from './core/services/strategy.js';
import { strategy as appsControllerrevisions } from './apps/controllerrevisions/strategy.js';
import { strategy as appsDaemonsets } from './apps/daemonsets/strategy.js';
import { strategy as appsDeployments } from './apps/deployments/strategy.js';
import { strategy as appsReplicasets } from './apps/replicasets/strategy.js';
import { strategy as appsStatefulsets } from './apps/statefulsets/strategy.js';
import { strategy as batchCronjobs } from './batch/cronjobs/strategy.js';
import { strategy as batchJobs } from './batch/jobs/strategy.js';
import { strategy as autoscalingHorizontalpodautoscalers, strategyV1 as autoscalingV1Horizontalpodautoscalers } from './autoscaling/horizontalpodautoscalers/strategy.js';
import { strategy as coordinationLeases } from './coordination/leases/strategy.js';
import { strategy as discoveryEndpointslices } from './discovery/endpointslices/strategy.js';
import { strategy as eventsEvents } from './events/events/strategy.js';
import { strategy as rbacClusterrolebindings } from './rbac/clusterrolebindings/strategy.js';
import { strategy as rbacClusterroles } from './rbac/clusterroles/strategy.js';
import { strategy as rbacRolebindings } from './rbac/rolebindings/strategy.js';
import { strategy as rbacRoles } from './rbac/roles/strategy.js';
import { strategy as schedulingPriorityclasses } from './scheduling/priorityclasses/strategy.js';
import { strategy as nodeRuntimeclasses } from './node/runtimeclasses/strategy.js';
import { strategy as flowcontrolFlowschemas } from './flowcontrol/flowschemas/strategy.js';
import { strategy as flowcontrolPrioritylevelconfigurations } from './flowcontrol/prioritylevelconfigurations/strategy.js';
import { strategy as policyPoddisruptionbudgets } from './policy/poddisruptionbudgets/strategy.js';
import { strategy as storageCsidrivers } from './storage/csidrivers/strategy.js';
import { strategy as storageCsinodes } from './storage/csinodes/strategy.js';
import { strategy as storageCsistoragecapacities } from './storage/csistoragecapacities/strategy.js';
import { strategy as storageStorageclasses } from './storage/storageclasses/strategy.js';
import { strategy as storageVolumeattachments } from './storage/volumeattachments/strategy.js';
import { strategy as networkingIngressclasses } from './networking/ingressclasses/strategy.js';
import { strategy as networkingIngresses } from './networking/ingresses/strategy.js';
import { strategy as networkingNetworkpolicies } from './networking/networkpolicies/strategy.js';
import { strategy as apiextensionsCustomresourcedefinitions } from './apiextensions/customresourcedefinitions/strategy.js';
import { strategy as certificatesCertificatesigningrequests } from './certificates/certificatesigningrequests/strategy.js';
import { strategy as admissionregistrationMutatingwebhookconfigurations } from './admissionregistration/mutatingwebhookconfigurations/strategy.js';
import { strategy as admissionregistrationValidatingwebhookconfigurations } from './admissionregistration/validatingwebhookconfigurations/strategy.js';
import { strategy as admissionregistrationValidatingadmissionpolicies } from './admissionregistration/validatingadmissionpolicies/strategy.js';
import { strategy as admissionregistrationValidatingadmissionpolicybindings } from './admissionregistration/validatingadmissionpolicybindings/strategy.js';
import { strategy as authenticationTokenreviews } from './authentication/tokenreviews/strategy.js';
import { strategy as authenticationSelfsubjectreviews } from './authentication/selfsubjectreviews/strategy.js';
import { strategy as authorizationSubjectaccessreviews } from './authorization/subjectaccessreviews/strategy.js';
import { strategy as authorizationSelfsubjectaccessreviews } from './authorization/selfsubjectaccessreviews/strategy.js';
import { strategy as authorizationLocalsubjectaccessreviews } from './authorization/localsubjectaccessreviews/strategy.js';
import { strategy as authorizationSelfsubjectrulesreviews } from './authorization/selfsubjectrulesreviews/strategy.js';
import { strategy as coreComponentstatuses } from './core/componentstatuses/strategy.js';
import { strategy as apiregistrationApiservices } from './apiregistration/apiservices/strategy.js';
import { nodeMetricsStrategy as metricsNodes, podMetricsStrategy as metricsPods } from './metrics/metrics.js';

export const builtinStrategies: Strategy[] = [
  coreBindings,
  coreComponentstatuses,
  coreConfigmaps,
  coreEndpoints,
  coreEvents,
  coreLimitranges,
  coreNamespaces,
  coreNodes,
  corePersistentvolumeclaims,
  corePersistentvolumes,
  corePods,
  corePodtemplates,
  coreReplicationcontrollers,
  coreResourcequotas,
  coreSecrets,
  coreServiceaccounts,
  coreServices,
  appsControllerrevisions,
  appsDaemonsets,
  appsDeployments,
  appsReplicasets,
  appsStatefulsets,
  batchCronjobs,
  batchJobs,
  autoscalingHorizontalpodautoscalers,
  autoscalingV1Horizontalpodautoscalers,
  coordinationLeases,
  discoveryEndpointslices,
  eventsEvents,
  rbacClusterrolebindings,
  rbacClusterroles,
  rbacRolebindings,
  rbacRoles,
  schedulingPriorityclasses,
  policyPoddisruptionbudgets,
  nodeRuntimeclasses,
  flowcontrolFlowschemas,
  flowcontrolPrioritylevelconfigurations,
  storageCsidrivers,
  storageCsinodes,
  storageCsistoragecapacities,
  storageStorageclasses,
  storageVolumeattachments,
  networkingIngressclasses,
  networkingIngresses,
  networkingNetworkpolicies,
  apiextensionsCustomresourcedefinitions,
  certificatesCertificatesigningrequests,
  admissionregistrationMutatingwebhookconfigurations,
  admissionregistrationValidatingwebhookconfigurations,
  admissionregistrationValidatingadmissionpolicies,
  admissionregistrationValidatingadmissionpolicybindings,
  authenticationTokenreviews,
  authenticationSelfsubjectreviews,
  authorizationSubjectaccessreviews,
  authorizationSelfsubjectaccessreviews,
  authorizationLocalsubjectaccessreviews,
  authorizationSelfsubjectrulesreviews,
  apiregistrationApiservices,
  metricsNodes,
  metricsPods,
];
