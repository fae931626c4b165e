// The apiserver's in-process listener (`keelson server`): connections from components of the same
// process, over in-memory byte streams (duplex-pair.ts), served by the same request handler as
// the secure port (authentication, audit, authorization, admission, the REST API). What TLS does
// on the secure port is done here once per connection, to the same effect: the client
// certificate is verified against the client CA (issuer signature, validity period, client-auth
// usage) and must match the private key the client holds (TLS proves possession by a signature);
// the x509 authenticator and the audit log then read it from the connection as from a TLS socket
// (`encrypted`, `authorized`, `authorizationError`, `getPeerCertificate()`). Bearer tokens and
// anonymous requests are judged per request, as on the network.
import { createServer, type RequestListener, type Server } from 'node:http';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { InProcessCredentials, InProcessTransport } from '../client/in-process.js';
import { duplexPair, type PipeEnd } from '../util/duplex-pair.js';
import { serveUpgrades } from './upgrade.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

interface Peer {
  certificate: PeerCertificate;
  /** Private keys (PEM) checked to match this certificate. */
  keys: Set<string>;
  x509: X509Certificate;
  /** Why the chain does not verify (OpenSSL's code, as a TLS socket's authorizationError). */
  error?: string;
}

/** The PEM certificates of a bundle (a --client-ca-file may hold several CAs). */
function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
}

export class LoopbackListener implements InProcessTransport {
  private readonly server: Server;
  private readonly cas: X509Certificate[];
  /** Verified peers by certificate PEM: components reconnect with the same few certificates. */
  private readonly peers = new Map<string, Peer>();
  private closed = false;

  constructor(handler: RequestListener, clientCa: string, onConnection: (socket: Duplex) => void) {
    this.cas = pemBlocks(clientCa).map((p) => new X509Certificate(p));
    this.server = createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 60_000 }, handler);
    serveUpgrades(this.server, handler);
    this.server.on('connection', onConnection);
  }

  connect(credentials: InProcessCredentials): Duplex {
    if (this.closed) throw Object.assign(new Error('connect ECONNREFUSED (the apiserver in this process has stopped)'), { code: 'ECONNREFUSED' });
    const peer = credentials.cert ? this.peer(credentials.cert.toString(), credentials.key) : undefined;
    const [client, server] = duplexPair();
    present(server, peer);
    this.server.emit('connection', server);
    return client;
  }

  /** No new connections; the open ones are closed by the apiserver with its others. */
  close(): void {
    this.closed = true;
  }

  private peer(pem: string, key: InProcessCredentials['key']): Peer {
    let p = this.peers.get(pem);
    if (!p) {
      const x509 = new X509Certificate(pem);
      p = { x509, certificate: x509.toLegacyObject(), keys: new Set(), error: this.chainError(x509) };
      this.peers.set(pem, p);
    }
    // As a TLS client whose key does not match its certificate: no connection at all.
    const k = key?.toString() ?? '';
    if (!p.keys.has(k)) {
      if (!k || !p.x509.checkPrivateKey(createPrivateKey(k))) throw new Error('the client certificate does not match its private key');
      p.keys.add(k);
    }
    return p;
  }

  private chainError(x509: X509Certificate): string | undefined {
    const ca = this.cas.find((c) => x509.checkIssued(c) && x509.verify(c.publicKey));
    if (!ca) return 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
    if (x509.keyUsage && !x509.keyUsage.includes(CLIENT_AUTH)) return 'UNSUPPORTED_CERTIFICATE_PURPOSE';
    return undefined;
  }
}

/** The server end of a connection, as the TLS socket the authenticator and audit read. */
function present(socket: PipeEnd, peer: Peer | undefined): void {
  const now = Date.now();
  let error = peer?.error;
  if (peer && !error && now < Date.parse(peer.x509.validFrom)) error = 'CERT_NOT_YET_VALID';
  if (peer && !error && now > Date.parse(peer.x509.validTo)) error = 'CERT_HAS_EXPIRED';
  Object.assign(socket, {
    encrypted: true,
    authorized: !!peer && !error,
    authorizationError: error,
    getPeerCertificate: () => peer?.certificate ?? {},
  });
}
