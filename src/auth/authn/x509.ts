// Client certificates (kube's x509 authenticator): a certificate verified against the client CA
// names the user by its Common Name and the groups by its Organizations. The TLS server asks for
// a certificate without requiring one; one that is presented but does not verify (unknown
// issuer, expired) fails the request with 401.
import type { TLSSocket } from 'node:tls';
import type { Authenticator } from '../../apiserver/filters/pipeline.js';
import { AuthenticationError } from './errors.js';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// getPeerCertificate() decodes the certificate into a new object on every call (~0.2 ms); the
// peer of a TLS connection does not change, so the outcome is kept per socket.
type Outcome = { user?: { name: string; groups: string[] }; error?: string };
const bySocket = new WeakMap<TLSSocket, Outcome>();

export const x509Authenticator: Authenticator = {
  authenticate(req) {
    const sock = req.socket as TLSSocket;
    if (!sock.encrypted || typeof sock.getPeerCertificate !== 'function') return undefined;
    let o = bySocket.get(sock);
    if (!o) bySocket.set(sock, (o = verify(sock)));
    if (o.error) throw new AuthenticationError(o.error);
    return o.user && { name: o.user.name, groups: [...o.user.groups] };
  },
};

function verify(sock: TLSSocket): Outcome {
  const cert = sock.getPeerCertificate();
  if (!cert || !cert.subject) return {};
  if (!sock.authorized) return { error: `verifying certificate: ${String(sock.authorizationError ?? 'not trusted')}` };
  const cn = list(cert.subject.CN)[0];
  if (!cn) return { error: 'certificate has no common name' };
  return { user: { name: cn, groups: list(cert.subject.O) } };
}
