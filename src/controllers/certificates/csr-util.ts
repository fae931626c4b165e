// Shared by the certificate controllers: the CSR resource, its conditions, and kube's checks of
// what a kubelet may ask for (a node client certificate: O=[system:nodes], CN system:node:<name>,
// no subject alternative names, usages within digital signature / key encipherment / client auth;
// a kubelet serving certificate: the same subject, server auth, DNS or IP names only).
import type { ResourceRef } from '../../client/resources.js';
import type { ParsedCsr } from '../../auth/pki/csr.js';
import type { K } from '../pod-util.js';

export const CSRS: ResourceRef = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', namespaced: false };

export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const LEGACY_UNKNOWN = 'kubernetes.io/legacy-unknown';

const hasCondition = (csr: K, type: string) => (csr.status?.conditions ?? []).some((c: any) => c?.type === type && (c.status ?? 'True') === 'True');
export const isApproved = (csr: K): boolean => hasCondition(csr, 'Approved') && !hasCondition(csr, 'Denied');
export const isDenied = (csr: K): boolean => hasCondition(csr, 'Denied');
export const hasFailed = (csr: K): boolean => hasCondition(csr, 'Failed');

/** The PEM request of a CSR object (spec.request is base64 in JSON). */
export const requestPem = (csr: K): string => Buffer.from(String(csr.spec?.request ?? ''), 'base64').toString('utf8');

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
const subset = (a: string[], allowed: string[]) => a.every((x) => allowed.includes(x));

/** Why `req` + `usages` is not a kubelet client certificate request, or undefined when it is. */
export function kubeletClientProblem(req: ParsedCsr, usages: string[]): string | undefined {
  if (!sameSet(req.organizations, ['system:nodes'])) return 'subject organization is not system:nodes';
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  if (req.dnsNames.length || req.ipAddresses.length || req.emailAddresses.length || req.uris.length) return 'subjectAltNames are not allowed';
  if (!usages.includes('client auth') || !subset(usages, ['digital signature', 'key encipherment', 'client auth'])) return `usages did not match [digital signature key encipherment client auth]: ${JSON.stringify(usages)}`;
  return undefined;
}

/** Why `req` + `usages` is not a kubelet serving certificate request, or undefined when it is. */
export function kubeletServingProblem(req: ParsedCsr, usages: string[]): string | undefined {
  if (!sameSet(req.organizations, ['system:nodes'])) return 'subject organization is not system:nodes';
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  if (req.emailAddresses.length || req.uris.length) return 'email and URI subjectAltNames are not allowed';
  if (!req.dnsNames.length && !req.ipAddresses.length) return 'DNS or IP subjectAltName is required';
  if (!usages.includes('server auth') || !subset(usages, ['digital signature', 'key encipherment', 'server auth'])) return `usages did not match [digital signature key encipherment server auth]: ${JSON.stringify(usages)}`;
  return undefined;
}

/** Why the kube-apiserver-client signer refuses `usages`, or undefined. */
export function apiserverClientProblem(usages: string[]): string | undefined {
  if (!usages.includes('client auth') || !subset(usages, ['digital signature', 'key encipherment', 'client auth'])) return `invalid usage for client certificate: ${usages.filter((u) => !['digital signature', 'key encipherment', 'client auth'].includes(u)).join(', ') || 'client auth missing'}`;
  return undefined;
}
