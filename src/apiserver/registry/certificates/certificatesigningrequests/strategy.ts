// CertificateSigningRequest (certificates.k8s.io/v1 certificatesigningrequests): the requesting
// user recorded on create (username, uid, groups, extra); request (PEM CSR), signerName, usages
// and expirationSeconds validated; spec immutable; status and approval subresources
// (approvalPrepareForUpdate: only Approved/Denied conditions change there);
// NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION.
// Light: the CSR's PEM content is checked for its armour, not parsed as ASN.1.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, forbidden } from '../../../../api/field-errors.js';
import { humanDuration } from '../../printers/duration.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import type { KObject } from '../../strategy.js';

const usages = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign', 'encipher only', 'decipher only',
  'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
];

export function csrCondition(csr: any): string {
  const types = new Set((csr.status?.conditions ?? []).map((c: any) => c?.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (csr.status?.certificate) s += ',Issued';
  return s;
}

/** The /approval subresource: only Approved/Denied conditions may change. */
export function approvalPrepareForUpdate(csr: KObject, old: KObject): void {
  const conds = (csr.status?.conditions ?? []).filter((c: any) => c?.type === 'Approved' || c?.type === 'Denied');
  const kept = (old.status?.conditions ?? []).filter((c: any) => c?.type !== 'Approved' && c?.type !== 'Denied');
  csr.spec = structuredClone(old.spec);
  csr.status = { ...structuredClone(old.status ?? {}), conditions: [...kept, ...conds] };
  if (!csr.status.conditions.length) delete csr.status.conditions;
}

export function validateApproval(csr: KObject): FieldErrorList {
  const types = (csr.status?.conditions ?? []).map((c: any) => c?.type);
  if (types.includes('Approved') && types.includes('Denied')) return [invalid('status.conditions', csr.status.conditions, 'Approved and Denied conditions are mutually exclusive')];
  return [];
}

export const strategy = defineStrategy({
  info: {
    group: 'certificates.k8s.io',
    version: 'v1',
    kind: 'CertificateSigningRequest',
    listKind: 'CertificateSigningRequestList',
    resource: 'certificatesigningrequests',
    singular: 'certificatesigningrequest',
    namespaced: false,
    shortNames: ['csr'],
  },
  status: {
    initialStatus: () => ({}),
    validateUpdate: (csr) => validateApproval(csr),
  },
  prepareForCreate(csr, ctx) {
    const spec = (csr.spec ??= {});
    spec.username = ctx.user.name;
    if (ctx.user.uid) spec.uid = ctx.user.uid;
    else delete spec.uid;
    spec.groups = [...ctx.user.groups];
    delete spec.extra;
  },
  prepareForUpdate(csr, old) {
    csr.spec = structuredClone(old.spec);
  },
  validate(csr) {
    const spec = csr.spec ?? {};
    const errs: FieldErrorList = [];
    if (!spec.request) errs.push(required('spec.request', ''));
    else {
      const pem = Buffer.from(String(spec.request), 'base64').toString('utf8');
      if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(pem)) errs.push(invalid('spec.request', '<omitted>', 'PEM block type must be CERTIFICATE REQUEST'));
    }
    if (!spec.signerName) errs.push(required('spec.signerName', ''));
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[^/]+$/.test(spec.signerName))
      errs.push(invalid('spec.signerName', spec.signerName, 'must be a fully qualified domain and path of the form \'example.com/signer-name\''));
    if (!(spec.usages ?? []).length) errs.push(required('spec.usages', ''));
    (spec.usages ?? []).forEach((u: string, i: number) => {
      if (!usages.includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, usages));
    });
    if (spec.expirationSeconds != null && spec.expirationSeconds < 600) errs.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
    if (csr.status?.certificate) errs.push(forbidden('status.certificate', 'may not be set on create'));
    return errs;
  },
  fieldSelectors: { 'spec.signerName': (csr) => csr.spec?.signerName ?? '' },
  table: table(
    [
      ageColumn,
      col('SignerName', 'string', 'Name of the signer'),
      col('Requestor', 'string', 'Name of the requestor'),
      col('RequestedDuration', 'string', 'The requested duration of the certificate'),
      col('Condition', 'string', 'Status of the CSR'),
    ],
    (csr, now) => [age(csr, now), csr.spec?.signerName || '<none>', csr.spec?.username ?? '', csr.spec?.expirationSeconds != null ? humanDuration(csr.spec.expirationSeconds * 1000) : '<none>', csrCondition(csr)],
  ),
});
