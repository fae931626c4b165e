// The in-tree plugin registry: Kubernetes' plugin names -> factories.
import type { PluginFactory } from '../framework/interface.js';
import * as PrioritySort from './priority-sort/index.js';
import * as NodeUnschedulable from './node-unschedulable/index.js';
import * as NodeName from './node-name/index.js';
import * as NodePorts from './node-ports/index.js';
import * as NodeResourcesFit from './node-resources-fit/index.js';
import * as BalancedAllocation from './balanced-allocation/index.js';
import * as NodeAffinity from './node-affinity/index.js';
import * as TaintToleration from './taint-toleration/index.js';
import * as ImageLocality from './image-locality/index.js';
import * as PodTopologySpread from './pod-topology-spread/index.js';
import * as InterPodAffinity from './inter-pod-affinity/index.js';
import * as DefaultBinder from './default-binder/index.js';
import * as DefaultPreemption from './default-preemption/index.js';
import * as VolumeRestrictions from './volume-restrictions/index.js';
import * as VolumeBinding from './volume-binding/index.js';
import * as NodeVolumeLimits from './node-volume-limits/index.js';
import * as VolumeZone from './volume-zone/index.js';

const all = [
  PrioritySort,
  NodeUnschedulable,
  NodeName,
  NodePorts,
  NodeResourcesFit,
  BalancedAllocation,
  NodeAffinity,
  TaintToleration,
  ImageLocality,
  PodTopologySpread,
  InterPodAffinity,
  DefaultBinder,
  DefaultPreemption,
  VolumeRestrictions,
  VolumeBinding,
  NodeVolumeLimits,
  VolumeZone,
];

export const inTreeRegistry: Record<string, PluginFactory> = Object.fromEntries(all.map((m) => [m.name, m.factory as PluginFactory]));
