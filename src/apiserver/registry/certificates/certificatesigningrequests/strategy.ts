// CertificateSigningRequest (certificates.k8s.io/v1 certificatesigningrequests).
import { defineStrategy } from '../../define.js';

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
  status: {},
});
