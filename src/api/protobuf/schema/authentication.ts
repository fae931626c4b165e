// Protobuf schema (proto2) for authentication.k8s.io/v1 TokenRequest (sent by
// `kubectl create token`), SelfSubjectReview (`kubectl auth whoami`) and TokenReview, written for
// keelson with the field numbers of k8s.io/api/authentication/v1/generated.proto.
// Options: see ./meta.ts.

export const AUTHENTICATION_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.authentication.v1;

message TokenRequest {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional TokenRequestSpec spec = 2;
  optional TokenRequestStatus status = 3;
}
message TokenRequestSpec {
  repeated string audiences = 1;
  optional int64 expirationSeconds = 4 [(ptr) = true];
  optional BoundObjectReference boundObjectRef = 3;
}
message BoundObjectReference {
  optional string kind = 1;
  optional string apiVersion = 2;
  optional string name = 3;
  optional string uid = 4;
}
message TokenRequestStatus {
  optional string token = 1 [(keep) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time expirationTimestamp = 2 [(keep) = true];
}

message ExtraValue {
  repeated string items = 1;
}
message UserInfo {
  optional string username = 1;
  optional string uid = 2;
  repeated string groups = 3;
  map<string, ExtraValue> extra = 4;
}
message SelfSubjectReview {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional SelfSubjectReviewStatus status = 2;
}
message SelfSubjectReviewStatus {
  optional UserInfo userInfo = 1;
}
message TokenReview {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional TokenReviewSpec spec = 2;
  optional TokenReviewStatus status = 3;
}
message TokenReviewSpec {
  optional string token = 1;
  repeated string audiences = 2;
}
message TokenReviewStatus {
  optional bool authenticated = 1;
  optional UserInfo user = 2;
  repeated string audiences = 4;
  optional string error = 3;
}
`;
