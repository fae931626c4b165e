// Protobuf schema (proto2) for node.k8s.io/v1 RuntimeClass, written for keelson with the field
// numbers of k8s.io/api/node/v1/generated.proto. Options: see ./meta.ts.

export const NODE_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.node.v1;

message RuntimeClass {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional string handler = 2 [(keep) = true];
  optional Overhead overhead = 3;
  optional Scheduling scheduling = 4;
}
message Overhead {
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> podFixed = 1;
}
message Scheduling {
  map<string, string> nodeSelector = 1;
  repeated .k8s.io.api.core.v1.Toleration tolerations = 2;
}
`;
