// The controllers of the controller manager, by the names kube-controller-manager uses in
// --controllers. Each is a factory; `enabled` applies the --controllers list ("*" = all on by
// default, "-name" = off, "name" = on).
import type { ControllerFactory } from './controller.js';
import { newCronJobController } from './cronjob/controller.js';
import { newCsrApprovingController } from './certificates/csr-approving.js';
import { newCsrSigningController } from './certificates/csr-signing.js';
import { newDaemonSetController } from './daemonset/controller.js';
import { newDeploymentController } from './deployment/controller.js';
import { newDisruptionController } from './disruption/controller.js';
import { newEndpointsController } from './endpoints/endpoints-controller.js';
import { newEndpointSliceController } from './endpoints/endpointslice-controller.js';
import { newEndpointSliceMirroringController } from './endpoints/mirroring-controller.js';
import { newGarbageCollector } from './garbagecollector/controller.js';
import { newHorizontalPodAutoscalerController } from './horizontalpodautoscaler/controller.js';
import { newJobController } from './job/controller.js';
import { newTtlAfterFinishedController } from './job/ttl-after-finished.js';
import { newNamespaceController } from './namespace/controller.js';
import { newNodeIpamController } from './nodeipam/controller.js';
import { newPersistentVolumeController } from './persistentvolume/controller.js';
import { newPodGcController } from './podgc/controller.js';
import { newPvcProtectionController } from './volumeprotection/pvc-protection.js';
import { newPvProtectionController } from './volumeprotection/pv-protection.js';
import { newNodeLifecycleController } from './nodelifecycle/controller.js';
import { newStatefulSetController } from './statefulset/controller.js';
import { newTaintEvictionController } from './nodelifecycle/taint-eviction.js';
import { newResourceQuotaController } from './resourcequota/controller.js';
import { newServiceAccountController } from './serviceaccount/controller.js';
import { newClusterRoleAggregationController } from './clusterroleaggregation/controller.js';
import { newTokensController } from './serviceaccount-token/controller.js';
import { newBootstrapSigner } from './bootstrap/bootstrap-signer.js';
import { newTokenCleaner } from './bootstrap/token-cleaner.js';
import { newReplicaSetController, newReplicationControllerController } from './replicaset/controller.js';

export const controllerFactories: Record<string, ControllerFactory> = {
  cronjob: newCronJobController,
  csrapproving: newCsrApprovingController,
  csrsigning: newCsrSigningController,
  daemonset: newDaemonSetController,
  deployment: newDeploymentController,
  disruption: newDisruptionController,
  endpoint: newEndpointsController,
  endpointslice: newEndpointSliceController,
  endpointslicemirroring: newEndpointSliceMirroringController,
  'garbage-collector': newGarbageCollector,
  horizontalpodautoscaling: newHorizontalPodAutoscalerController,
  job: newJobController,
  namespace: newNamespaceController,
  'node-lifecycle': newNodeLifecycleController,
  nodeipam: newNodeIpamController,
  'persistentvolume-binder': newPersistentVolumeController,
  'pod-garbage-collector': newPodGcController,
  'pvc-protection': newPvcProtectionController,
  'pv-protection': newPvProtectionController,
  'taint-eviction-controller': newTaintEvictionController,
  resourcequota: newResourceQuotaController,
  'clusterrole-aggregation': newClusterRoleAggregationController,
  serviceaccount: newServiceAccountController,
  'serviceaccount-token': newTokensController,
  bootstrapsigner: newBootstrapSigner,
  tokencleaner: newTokenCleaner,
  statefulset: newStatefulSetController,
  'ttl-after-finished': newTtlAfterFinishedController,
  replicaset: newReplicaSetController,
  replicationcontroller: newReplicationControllerController,
};

/** Controllers Kubernetes ships disabled by default. */
const offByDefault = new Set<string>(['bootstrapsigner', 'tokencleaner']);

export function enabledControllers(list: string[]): string[] {
  const names = Object.keys(controllerFactories);
  const on = new Set<string>();
  const star = list.includes('*');
  for (const n of names) if (star && !offByDefault.has(n)) on.add(n);
  for (const item of list) {
    if (item === '*') continue;
    if (item.startsWith('-')) on.delete(item.slice(1));
    else if (controllerFactories[item]) on.add(item);
    else throw new Error(`unknown controller "${item}" (known: ${names.join(', ')})`);
  }
  return names.filter((n) => on.has(n));
}
