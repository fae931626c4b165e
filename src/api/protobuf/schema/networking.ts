// Protobuf schema (proto2) for networking.k8s.io/v1 Ingress (and IngressClass), written for
// keelson with the field numbers of k8s.io/api/networking/v1/generated.proto. Options: ./meta.ts.

export const NETWORKING_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.networking.v1;

message Ingress {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional IngressSpec spec = 2;
  optional IngressStatus status = 3;
}
message IngressSpec {
  optional string ingressClassName = 4 [(ptr) = true];
  optional IngressBackend defaultBackend = 1;
  repeated IngressTLS tls = 2;
  repeated IngressRule rules = 3;
}
message IngressBackend {
  optional IngressServiceBackend service = 4;
  optional .k8s.io.api.core.v1.TypedLocalObjectReference resource = 3;
}
message IngressServiceBackend {
  optional string name = 1 [(keep) = true];
  optional ServiceBackendPort port = 2;
}
message ServiceBackendPort {
  optional string name = 1;
  optional int32 number = 2;
}
message IngressTLS {
  repeated string hosts = 1;
  optional string secretName = 2;
}
message IngressRule {
  optional string host = 1;
  optional IngressRuleValue ingressRuleValue = 2 [(inline) = true];
}
message IngressRuleValue {
  optional HTTPIngressRuleValue http = 1;
}
message HTTPIngressRuleValue {
  repeated HTTPIngressPath paths = 1;
}
message HTTPIngressPath {
  optional string path = 1;
  optional string pathType = 3 [(ptr) = true];
  optional IngressBackend backend = 2;
}
message IngressStatus {
  optional IngressLoadBalancerStatus loadBalancer = 1;
}
message IngressLoadBalancerStatus {
  repeated IngressLoadBalancerIngress ingress = 1;
}
message IngressLoadBalancerIngress {
  optional string ip = 1;
  optional string hostname = 2;
  repeated IngressPortStatus ports = 4;
}
message IngressPortStatus {
  optional int32 port = 1 [(keep) = true];
  optional string protocol = 2 [(keep) = true];
  optional string error = 3 [(ptr) = true];
}

message IngressClass {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional IngressClassSpec spec = 2;
}
message IngressClassSpec {
  optional string controller = 1;
  optional IngressClassParametersReference parameters = 2;
}
message IngressClassParametersReference {
  optional string apiGroup = 1 [(ptr) = true];
  optional string kind = 2 [(keep) = true];
  optional string name = 3 [(keep) = true];
  optional string scope = 4 [(ptr) = true];
  optional string namespace = 5 [(ptr) = true];
}
`;
