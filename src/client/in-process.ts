// The in-process transport of `keelson server`'s own components: their requests go to the
// apiserver of the same process over in-memory connections instead of TCP and TLS. Everything
// else is as over the network: the same HTTP/1.1 requests, the same REST API and filters
// (authentication by the component's client certificate, authorization, admission), the same
// keep-alive pool of connections and watch streams. Only the socket and the TLS handshake (about
// 10 ms of the one event loop per connection, and the components open some 50) are skipped.
import http from 'node:http';
import type { Duplex } from 'node:stream';

/** What a client presents on an in-process connection: its kubeconfig's client certificate and
 * key (verified by the apiserver as its TLS server would), if any. */
export interface InProcessCredentials {
  cert?: Buffer | string;
  key?: Buffer | string;
}

/** Opens connections to an apiserver in this process (the apiserver's loopback listener). */
export interface InProcessTransport {
  /** A new connection; throws (as a refused connection) once the apiserver has closed. */
  connect(credentials: InProcessCredentials): Duplex;
}

/** An HTTP agent (keep-alive pool) whose connections come from an in-process transport. */
export class InProcessAgent extends http.Agent {
  constructor(
    private readonly transport: InProcessTransport,
    private readonly credentials: InProcessCredentials,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(_options: unknown, callback: (err: Error | null, socket?: Duplex) => void): Duplex | undefined {
    try {
      return this.transport.connect(this.credentials);
    } catch (e) {
      callback(e as Error);
      return undefined;
    }
  }
}
