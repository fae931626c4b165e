// Protobuf schema (proto2) for the core/v1 kinds written by cluster components rather than by
// kubectl (a kubelet, scheduler or controller built on client-go sends protobuf): Node, Event,
// Endpoints, LimitRange, ReplicationController, PersistentVolume (CSI, local, hostPath, NFS and
// iSCSI sources). Same package as ./core.ts; field numbers from
// k8s.io/api/core/v1/generated.proto. Options are explained in ./meta.ts.

export const CORE_CLUSTER_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.core.v1;

message Node {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional NodeSpec spec = 2;
  optional NodeStatus status = 3;
}
message NodeSpec {
  optional string podCIDR = 1;
  repeated string podCIDRs = 7;
  optional string providerID = 3;
  optional bool unschedulable = 4;
  repeated Taint taints = 5;
  optional NodeConfigSource configSource = 6;
  optional string externalID = 2;
}
message Taint {
  optional string key = 1 [(keep) = true];
  optional string value = 2;
  optional string effect = 3 [(keep) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time timeAdded = 4;
}
message NodeConfigSource {
  optional ConfigMapNodeConfigSource configMap = 2;
}
message ConfigMapNodeConfigSource {
  optional string namespace = 1 [(keep) = true];
  optional string name = 2 [(keep) = true];
  optional string uid = 3;
  optional string resourceVersion = 4;
  optional string kubeletConfigKey = 5 [(keep) = true];
}
message NodeStatus {
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> capacity = 1;
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> allocatable = 2;
  optional string phase = 3;
  repeated NodeCondition conditions = 4;
  repeated NodeAddress addresses = 5;
  optional NodeDaemonEndpoints daemonEndpoints = 6;
  optional NodeSystemInfo nodeInfo = 7;
  repeated ContainerImage images = 8;
  repeated string volumesInUse = 9;
  repeated AttachedVolume volumesAttached = 10;
  optional NodeConfigStatus config = 11;
  repeated NodeRuntimeHandler runtimeHandlers = 12;
  optional NodeFeatures features = 13;
  repeated string declaredFeatures = 14;
}
message NodeCondition {
  optional string type = 1 [(keep) = true];
  optional string status = 2 [(keep) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastHeartbeatTime = 3;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}
message NodeAddress {
  optional string type = 1 [(keep) = true];
  optional string address = 2 [(keep) = true];
}
message NodeDaemonEndpoints {
  optional DaemonEndpoint kubeletEndpoint = 1;
}
message DaemonEndpoint {
  optional int32 Port = 1 [(keep) = true];
}
message NodeSystemInfo {
  optional string machineID = 1 [(keep) = true];
  optional string systemUUID = 2 [(keep) = true];
  optional string bootID = 3 [(keep) = true];
  optional string kernelVersion = 4 [(keep) = true];
  optional string osImage = 5 [(keep) = true];
  optional string containerRuntimeVersion = 6 [(keep) = true];
  optional string kubeletVersion = 7 [(keep) = true];
  optional string kubeProxyVersion = 8 [(keep) = true];
  optional string operatingSystem = 9 [(keep) = true];
  optional string architecture = 10 [(keep) = true];
  optional NodeSwapStatus swap = 11;
}
message NodeSwapStatus {
  optional int64 capacity = 1 [(ptr) = true];
}
message ContainerImage {
  repeated string names = 1;
  optional int64 sizeBytes = 2;
}
message AttachedVolume {
  optional string name = 1 [(keep) = true];
  optional string devicePath = 2 [(keep) = true];
}
message NodeConfigStatus {
  optional NodeConfigSource assigned = 1;
  optional NodeConfigSource active = 2;
  optional NodeConfigSource lastKnownGood = 3;
  optional string error = 4;
}
message NodeRuntimeHandler {
  optional string name = 1 [(keep) = true];
  optional NodeRuntimeHandlerFeatures features = 2;
}
message NodeRuntimeHandlerFeatures {
  optional bool recursiveReadOnlyMounts = 1 [(ptr) = true];
  optional bool userNamespaces = 2 [(ptr) = true];
}
message NodeFeatures {
  optional bool supplementalGroupsPolicy = 1 [(ptr) = true];
}

message Event {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ObjectReference involvedObject = 2;
  optional string reason = 3;
  optional string message = 4;
  optional EventSource source = 5;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time firstTimestamp = 6;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTimestamp = 7;
  optional int32 count = 8;
  optional string type = 9;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 10;
  optional EventSeries series = 11;
  optional string action = 12;
  optional ObjectReference related = 13;
  optional string reportingComponent = 14 [(keep) = true];
  optional string reportingInstance = 15 [(keep) = true];
}
message EventSource {
  optional string component = 1;
  optional string host = 2;
}
message EventSeries {
  optional int32 count = 1;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime lastObservedTime = 2;
}

message Endpoints {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  repeated EndpointSubset subsets = 2;
}
message EndpointSubset {
  repeated EndpointAddress addresses = 1;
  repeated EndpointAddress notReadyAddresses = 2;
  repeated EndpointPort ports = 3;
}
message EndpointAddress {
  optional string ip = 1 [(keep) = true];
  optional string hostname = 3;
  optional string nodeName = 4 [(ptr) = true];
  optional ObjectReference targetRef = 2;
}
message EndpointPort {
  optional string name = 1;
  optional int32 port = 2 [(keep) = true];
  optional string protocol = 3;
  optional string appProtocol = 4 [(ptr) = true];
}

message LimitRange {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional LimitRangeSpec spec = 2;
}
message LimitRangeSpec {
  repeated LimitRangeItem limits = 1;
}
message LimitRangeItem {
  optional string type = 1 [(keep) = true];
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> max = 2;
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> min = 3;
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> default = 4;
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> defaultRequest = 5;
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> maxLimitRequestRatio = 6;
}

message ReplicationController {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ReplicationControllerSpec spec = 2;
  optional ReplicationControllerStatus status = 3;
}
message ReplicationControllerSpec {
  optional int32 replicas = 1 [(ptr) = true];
  optional int32 minReadySeconds = 4;
  map<string, string> selector = 2;
  optional PodTemplateSpec template = 3;
}
message ReplicationControllerStatus {
  optional int32 replicas = 1 [(keep) = true];
  optional int32 fullyLabeledReplicas = 2;
  optional int32 readyReplicas = 4;
  optional int32 availableReplicas = 5;
  optional int64 observedGeneration = 3;
  repeated ReplicationControllerCondition conditions = 6;
}
message ReplicationControllerCondition {
  optional string type = 1 [(keep) = true];
  optional string status = 2 [(keep) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 3;
  optional string reason = 4;
  optional string message = 5;
}

message PersistentVolume {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PersistentVolumeSpec spec = 2;
  optional PersistentVolumeStatus status = 3;
}
message PersistentVolumeSpec {
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> capacity = 1;
  optional PersistentVolumeSource persistentVolumeSource = 2 [(inline) = true];
  repeated string accessModes = 3;
  optional ObjectReference claimRef = 4;
  optional string persistentVolumeReclaimPolicy = 5;
  optional string storageClassName = 6;
  repeated string mountOptions = 7;
  optional string volumeMode = 8 [(ptr) = true];
  optional VolumeNodeAffinity nodeAffinity = 9;
  optional string volumeAttributesClassName = 10 [(ptr) = true];
}
message PersistentVolumeSource {
  optional HostPathVolumeSource hostPath = 3;
  optional NFSVolumeSource nfs = 5;
  optional ISCSIPersistentVolumeSource iscsi = 7;
  optional FCVolumeSource fc = 10;
  optional LocalVolumeSource local = 20;
  optional CSIPersistentVolumeSource csi = 22;
}
message ISCSIPersistentVolumeSource {
  optional string targetPortal = 1 [(keep) = true];
  optional string iqn = 2 [(keep) = true];
  optional int32 lun = 3 [(keep) = true];
  optional string iscsiInterface = 4;
  optional string fsType = 5;
  optional bool readOnly = 6;
  repeated string portals = 7;
  optional bool chapAuthDiscovery = 8;
  optional bool chapAuthSession = 11;
  optional SecretReference secretRef = 10;
  optional string initiatorName = 12 [(ptr) = true];
}
message LocalVolumeSource {
  optional string path = 1 [(keep) = true];
  optional string fsType = 2 [(ptr) = true];
}
message CSIPersistentVolumeSource {
  optional string driver = 1 [(keep) = true];
  optional string volumeHandle = 2 [(keep) = true];
  optional bool readOnly = 3;
  optional string fsType = 4;
  map<string, string> volumeAttributes = 5;
  optional SecretReference controllerPublishSecretRef = 6;
  optional SecretReference nodeStageSecretRef = 7;
  optional SecretReference nodePublishSecretRef = 8;
  optional SecretReference controllerExpandSecretRef = 9;
  optional SecretReference nodeExpandSecretRef = 10;
}
message VolumeNodeAffinity {
  optional NodeSelector required = 1;
}
message PersistentVolumeStatus {
  optional string phase = 1;
  optional string message = 2;
  optional string reason = 3;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastPhaseTransitionTime = 4;
}
`;
