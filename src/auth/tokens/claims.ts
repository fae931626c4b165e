// The claims of kube's service-account JWTs. Bound tokens (TokenRequest, projected volumes):
// iss, sub, aud, exp, iat, nbf, jti and the private `kubernetes.io` claim naming the namespace,
// the service account and the object the token is bound to (pod, secret, node). Legacy tokens
// (secret-based, from the tokens controller): iss "kubernetes/serviceaccount" and the
// `kubernetes.io/serviceaccount/*` claims, no expiry and no audience.
import { randomUUID } from 'node:crypto';

export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export interface BoundClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

export interface LegacyClaims {
  iss: string;
  sub: string;
  'kubernetes.io/serviceaccount/namespace': string;
  'kubernetes.io/serviceaccount/secret.name': string;
  'kubernetes.io/serviceaccount/service-account.name': string;
  'kubernetes.io/serviceaccount/service-account.uid': string;
}

export const serviceAccountUsername = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

/** `system:serviceaccount:<ns>:<name>` -> [ns, name], or undefined. */
export function splitServiceAccountUsername(user: string): [string, string] | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  return m ? [m[1], m[2]] : undefined;
}

export interface BoundClaimsInput {
  issuer: string;
  audiences: string[];
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  now: Date;
  expirationSeconds: number;
}

export function boundClaims(i: BoundClaimsInput): BoundClaims {
  const now = Math.floor(i.now.getTime() / 1000);
  const k: KubernetesClaim = { namespace: i.namespace, serviceaccount: i.serviceAccount };
  if (i.pod) k.pod = i.pod;
  if (i.secret) k.secret = i.secret;
  if (i.node) k.node = i.node;
  return {
    aud: i.audiences,
    exp: now + i.expirationSeconds,
    iat: now,
    iss: i.issuer,
    jti: randomUUID(),
    'kubernetes.io': k,
    nbf: now,
    sub: serviceAccountUsername(i.namespace, i.serviceAccount.name),
  };
}

export function legacyClaims(namespace: string, serviceAccount: ObjectRef, secretName: string): LegacyClaims {
  return {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': serviceAccount.name,
    'kubernetes.io/serviceaccount/service-account.uid': serviceAccount.uid,
    sub: serviceAccountUsername(namespace, serviceAccount.name),
  };
}
