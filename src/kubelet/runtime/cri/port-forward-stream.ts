// kubectl port-forward on a CRI runtime: CRI PortForward returns a URL of the runtime's streaming
// server (containerd: http://127.0.0.1:<port>/portforward/<token>, good for one connection); we
// connect to it over WebSocket with `?port=N` and the v4.channel.k8s.io protocol (the streaming
// server's WebSocket port-forward): channel 0 carries the data, channel 1 errors, and each
// channel opens with the port as 2 little-endian bytes. The result is a Duplex the kubelet
// server copies to kubectl's SPDY data stream. Divergence: the real kubelet relays SPDY to the
// runtime, which can half-close; over WebSocket the end of our side ends the connection. The
// streaming server's error text ("error forwarding port ...") is passed on as it is.
import { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

export function criPortForward(url: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const u = new URL(url.replace(/^http/, 'ws'));
    u.searchParams.set('port', String(port));
    const ws = new WebSocket(u, ['v4.channel.k8s.io']);
    const seen = [false, false];
    let error = '';
    let settled = false;
    const duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        if (ws.readyState !== ws.OPEN) return cb(new Error('port-forward connection closed'));
        ws.send(Buffer.concat([Buffer.from([0]), chunk]), cb);
      },
      final(cb) {
        // No half-close over the v4 channel protocol: give the answer a moment, then close.
        setTimeout(() => ws.close(1000), 50).unref();
        cb();
      },
      destroy(err, cb) {
        ws.terminate();
        cb(err);
      },
    });
    ws.on('message', (data: Buffer) => {
      if (data.length === 0) return;
      const ch = data[0];
      let body = data.subarray(1);
      if (ch > 1) return;
      if (!seen[ch]) {
        // The first bytes of each channel name the port.
        seen[ch] = true;
        body = body.subarray(2);
        if (ch === 0 && !settled) {
          settled = true;
          resolve(duplex);
        }
      }
      if (!body.length) return;
      if (ch === 0) duplex.push(body);
      else error += body.toString();
    });
    ws.once('error', (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      } else duplex.destroy(e);
    });
    ws.once('close', () => {
      if (!settled) {
        settled = true;
        reject(new Error(error || 'the runtime closed the port-forward connection'));
      } else if (error) duplex.destroy(new Error(error));
      else duplex.push(null);
    });
  });
}
