// Protobuf schema (proto2) for batch/v1 Job and CronJob, written for keelson with the field
// numbers of k8s.io/api/batch/v1/generated.proto. Options are explained in ./meta.ts.

export const BATCH_PROTO = String.raw`
syntax = "proto2";
package k8s.io.api.batch.v1;

message Job {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional JobSpec spec = 2;
  optional JobStatus status = 3;
}
message JobSpec {
  optional int32 parallelism = 1 [(ptr) = true];
  optional int32 completions = 2 [(ptr) = true];
  optional int64 activeDeadlineSeconds = 3 [(ptr) = true];
  optional PodFailurePolicy podFailurePolicy = 11;
  optional SuccessPolicy successPolicy = 16;
  optional int32 backoffLimit = 7 [(ptr) = true];
  optional int32 backoffLimitPerIndex = 12 [(ptr) = true];
  optional int32 maxFailedIndexes = 13 [(ptr) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 4;
  optional bool manualSelector = 5 [(ptr) = true];
  optional .k8s.io.api.core.v1.PodTemplateSpec template = 6;
  optional int32 ttlSecondsAfterFinished = 8 [(ptr) = true];
  optional string completionMode = 9 [(ptr) = true];
  optional bool suspend = 10 [(ptr) = true];
  optional string podReplacementPolicy = 14 [(ptr) = true];
  optional string managedBy = 15 [(ptr) = true];
}
message PodFailurePolicy {
  repeated PodFailurePolicyRule rules = 1;
}
message PodFailurePolicyRule {
  optional string action = 1 [(keep) = true];
  optional PodFailurePolicyOnExitCodesRequirement onExitCodes = 2;
  repeated PodFailurePolicyOnPodConditionsPattern onPodConditions = 3;
}
message PodFailurePolicyOnExitCodesRequirement {
  optional string containerName = 1 [(ptr) = true];
  optional string operator = 2 [(keep) = true];
  repeated int32 values = 3;
}
message PodFailurePolicyOnPodConditionsPattern {
  optional string type = 1 [(keep) = true];
  optional string status = 2;
}
message SuccessPolicy {
  repeated SuccessPolicyRule rules = 1;
}
message SuccessPolicyRule {
  optional string succeededIndexes = 1 [(ptr) = true];
  optional int32 succeededCount = 2 [(ptr) = true];
}
message JobStatus {
  repeated JobCondition conditions = 1;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time startTime = 2;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time completionTime = 3;
  optional int32 active = 4;
  optional int32 succeeded = 5;
  optional int32 failed = 6;
  optional int32 terminating = 11 [(ptr) = true];
  optional string completedIndexes = 7;
  optional string failedIndexes = 10 [(ptr) = true];
  optional UncountedTerminatedPods uncountedTerminatedPods = 8;
  optional int32 ready = 9 [(ptr) = true];
}
message JobCondition {
  optional string type = 1 [(keep) = true];
  optional string status = 2 [(keep) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastProbeTime = 3;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}
message UncountedTerminatedPods {
  repeated string succeeded = 1;
  repeated string failed = 2;
}

message JobTemplateSpec {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional JobSpec spec = 2;
}

message CronJob {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional CronJobSpec spec = 2;
  optional CronJobStatus status = 3;
}
message CronJobSpec {
  optional string schedule = 1 [(keep) = true];
  optional string timeZone = 8 [(ptr) = true];
  optional int64 startingDeadlineSeconds = 2 [(ptr) = true];
  optional string concurrencyPolicy = 3;
  optional bool suspend = 4 [(ptr) = true];
  optional JobTemplateSpec jobTemplate = 5;
  optional int32 successfulJobsHistoryLimit = 6 [(ptr) = true];
  optional int32 failedJobsHistoryLimit = 7 [(ptr) = true];
}
message CronJobStatus {
  repeated .k8s.io.api.core.v1.ObjectReference active = 1;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastScheduleTime = 4;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastSuccessfulTime = 5;
}
`;
