// Protobuf schema (proto2) for kinds cluster components write through client-go:
// coordination.k8s.io/v1 Lease (node heartbeats, leader election), discovery.k8s.io/v1
// EndpointSlice and events.k8s.io/v1 Event. Written for keelson with the field numbers of
// k8s.io/api/{coordination,discovery,events}/v1/generated.proto. Options: see ./meta.ts.

export const COORDINATION_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.coordination.v1;

message Lease {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional LeaseSpec spec = 2;
}
message LeaseSpec {
  optional string holderIdentity = 1 [(ptr) = true];
  optional int32 leaseDurationSeconds = 2 [(ptr) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime acquireTime = 3;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime renewTime = 4;
  optional int32 leaseTransitions = 5 [(ptr) = true];
  optional string strategy = 6 [(ptr) = true];
  optional string preferredHolder = 7 [(ptr) = true];
}
`;

export const DISCOVERY_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.discovery.v1;

message EndpointSlice {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional string addressType = 4 [(keep) = true];
  repeated Endpoint endpoints = 2;
  repeated EndpointPort ports = 3;
}
message Endpoint {
  repeated string addresses = 1;
  optional EndpointConditions conditions = 2;
  optional string hostname = 3 [(ptr) = true];
  optional .k8s.io.api.core.v1.ObjectReference targetRef = 4;
  map<string, string> deprecatedTopology = 5;
  optional string nodeName = 6 [(ptr) = true];
  optional string zone = 7 [(ptr) = true];
  optional EndpointHints hints = 8;
}
message EndpointConditions {
  optional bool ready = 1 [(ptr) = true];
  optional bool serving = 2 [(ptr) = true];
  optional bool terminating = 3 [(ptr) = true];
}
message EndpointHints {
  repeated ForZone forZones = 1;
  repeated ForNode forNodes = 2;
}
message ForZone {
  optional string name = 1 [(keep) = true];
}
message ForNode {
  optional string name = 1 [(keep) = true];
}
message EndpointPort {
  optional string name = 1 [(ptr) = true];
  optional string protocol = 2 [(ptr) = true];
  optional int32 port = 3 [(ptr) = true];
  optional string appProtocol = 4 [(ptr) = true];
}
`;

export const EVENTS_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.events.v1;

message Event {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 2;
  optional EventSeries series = 3;
  optional string reportingController = 4;
  optional string reportingInstance = 5;
  optional string action = 6;
  optional string reason = 7;
  optional .k8s.io.api.core.v1.ObjectReference regarding = 8;
  optional .k8s.io.api.core.v1.ObjectReference related = 9;
  optional string note = 10;
  optional string type = 11;
  optional .k8s.io.api.core.v1.EventSource deprecatedSource = 12;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time deprecatedFirstTimestamp = 13;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time deprecatedLastTimestamp = 14;
  optional int32 deprecatedCount = 15;
}
message EventSeries {
  optional int32 count = 1 [(keep) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime lastObservedTime = 2 [(keep) = true];
}
`;
