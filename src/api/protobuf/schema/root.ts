// Builds the protobufjs Root from the schema text embedded in this folder (embedded as TypeScript
// strings so the same code works from src/ under tsx and from the esbuild bundle, with no .proto
// files to locate at run time). Parsed once, lazily, on first use (~20 ms).
import protobuf from 'protobufjs';
import { INTSTR_PROTO, META_PROTO, RESOURCE_PROTO, RUNTIME_PROTO } from './meta.js';
import { CORE_PROTO } from './core.js';
import { CORE_POD_PROTO } from './core-pod.js';
import { CORE_CLUSTER_PROTO } from './core-cluster.js';
import { COORDINATION_PROTO, DISCOVERY_PROTO, EVENTS_PROTO } from './cluster-groups.js';
import { APPS_PROTO } from './apps.js';
import { BATCH_PROTO } from './batch.js';
import { RBAC_PROTO } from './rbac.js';
import { POLICY_PROTO } from './policy.js';
import { NETWORKING_PROTO } from './networking.js';
import { SCHEDULING_PROTO } from './scheduling.js';
import { NODE_PROTO } from './node.js';
import { AUTHENTICATION_PROTO } from './authentication.js';
import { AUTHORIZATION_PROTO } from './authorization.js';
import { AUTOSCALING_V1_PROTO, AUTOSCALING_V2_PROTO } from './autoscaling.js';
import { CERTIFICATES_PROTO } from './certificates.js';

/** Schema sources in dependency-free order (references are resolved after all are parsed). */
export const PROTO_SOURCES: readonly string[] = [
  RUNTIME_PROTO,
  RESOURCE_PROTO,
  INTSTR_PROTO,
  META_PROTO,
  CORE_PROTO,
  CORE_POD_PROTO,
  CORE_CLUSTER_PROTO,
  APPS_PROTO,
  BATCH_PROTO,
  RBAC_PROTO,
  POLICY_PROTO,
  NETWORKING_PROTO,
  SCHEDULING_PROTO,
  NODE_PROTO,
  AUTHENTICATION_PROTO,
  AUTHORIZATION_PROTO,
  AUTOSCALING_V1_PROTO,
  AUTOSCALING_V2_PROTO,
  CERTIFICATES_PROTO,
  COORDINATION_PROTO,
  DISCOVERY_PROTO,
  EVENTS_PROTO,
];

let root: protobuf.Root | undefined;

/** The Root holding every message keelson can decode (field names kept as written: camelCase). */
export function kubernetesProtoRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  for (const src of PROTO_SOURCES) protobuf.parse(src, r, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

const types = new Map<string, protobuf.Type>();

/** Looks up a message type by its fully qualified name, e.g. `k8s.io.api.apps.v1.Deployment`. */
export function lookupType(fullName: string): protobuf.Type {
  let t = types.get(fullName);
  if (!t) {
    t = kubernetesProtoRoot().lookupType(fullName);
    types.set(fullName, t);
  }
  return t;
}
