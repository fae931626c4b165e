// Client certificates (kube's x509 authenticator): a certificate verified against the client CA
// names the user by its Common Name and the groups by its Organizations. The TLS server asks for
// a certificate without requiring one; one that is presented but does not verify (unknown
// issuer, expired) fails the request with 401.
import type { TLSSocket } from 'node:tls';
import type { Authenticator } from '../../apiserver/filters/pipeline.js';
import { AuthenticationError } from './errors.js';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const x509Authenticator: Authenticator = {
  authenticate(req) {
    const sock = req.socket as TLSSocket;
    if (!sock.encrypted || typeof sock.getPeerCertificate !== 'function') return undefined;
    const cert = sock.getPeerCertificate();
    if (!cert || !cert.subject) return undefined;
    if (!sock.authorized) throw new AuthenticationError(`verifying certificate: ${String(sock.authorizationError ?? 'not trusted')}`);
    const cn = list(cert.subject.CN)[0];
    if (!cn) throw new AuthenticationError('certificate has no common name');
    return { name: cn, groups: list(cert.subject.O) };
  },
};
