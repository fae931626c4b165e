// Protobuf schema (proto2) for scheduling.k8s.io/v1 PriorityClass, written for keelson with the
// field numbers of k8s.io/api/scheduling/v1/generated.proto. Options: see ./meta.ts.

export const SCHEDULING_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.scheduling.v1;

message PriorityClass {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional int32 value = 2 [(keep) = true];
  optional bool globalDefault = 3;
  optional string description = 4;
  optional string preemptionPolicy = 5 [(ptr) = true];
}
`;
