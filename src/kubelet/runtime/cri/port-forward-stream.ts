// kubectl port-forward on a CRI runtime: CRI PortForward returns a URL of the runtime's streaming
// server (containerd: http://127.0.0.1:<port>/portforward/<token>); we upgrade it to SPDY/3.1
// with X-Stream-Protocol-Version portforward.k8s.io, as the real kubelet does, and open the
// `error` and `data` streams for the port (headers port, requestid). The result is a Duplex the
// kubelet server copies to kubectl's data stream; both sides can half-close. The streaming
// server's error text ("error forwarding port ...") is passed on as it is.
import { request } from 'node:http';
import { Duplex } from 'node:stream';
import { SpdyServerConnection as SpdyConnection } from '../../server/spdy.js';

export function criPortForward(url: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' } });
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => reject(new Error(text.trim() || `the streaming server answered ${res.statusCode}`)));
    });
    req.once('upgrade', (_res, socket, head) => {
      const conn = new SpdyConnection({ send: (b) => void socket.write(b), close: () => socket.end() });
      socket.on('data', (d: Buffer) => conn.receive(d));
      socket.on('close', () => conn.transportClosed());
      socket.on('error', () => conn.transportClosed());
      if (head.length) conn.receive(head);
      const headers = { port: String(port), requestid: '0' };
      const errStream = conn.openStream({ streamtype: 'error', ...headers });
      errStream.end();
      const data = conn.openStream({ streamtype: 'data', ...headers });
      let error = '';
      let ended = false;
      const duplex = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          data.write(chunk);
          cb();
        },
        final(cb) {
          data.end();
          if (ended) conn.close();
          cb();
        },
        destroy(err, cb) {
          conn.close();
          cb(err);
        },
      });
      const finish = () => {
        if (ended) return;
        ended = true;
        // An error arrives on its own stream, maybe after the data stream ended.
        setTimeout(() => {
          if (error) duplex.destroy(new Error(error));
          else duplex.push(null);
          if (data.localClosed || error) conn.close();
        }, 20);
      };
      errStream.on('data', (d: Buffer) => (error += d));
      errStream.once('end', () => {
        if (error) duplex.destroy(new Error(error));
      });
      data.on('data', (d: Buffer) => duplex.push(d));
      data.once('end', finish);
      data.once('reset', finish);
      conn.once('close', finish);
      // As client-go: the connection is ready once the server has accepted both streams.
      conn.once('close', () => reject(new Error(error || 'the streaming server closed the port-forward connection')));
      void Promise.all([errStream, data].map((x) => new Promise((r) => x.once('reply', r)))).then(() => resolve(duplex));
    });
    req.end();
  });
}
