// kubectl exec/attach on a CRI runtime over SPDY/3.1, as the real kubelet reaches the runtime's
// streaming server: POST the URL CRI Exec/Attach returned with `Upgrade: SPDY/3.1` and
// `X-Stream-Protocol-Version: v4.channel.k8s.io`, open the error, stdin, stdout and stderr
// streams, and bridge them to an ExecSession. Unlike the v4 WebSocket protocol, SPDY can
// half-close: the end of the client's stdin reaches the command (`exec -i ... < file`,
// `run -i` with stdinOnce), which the streaming server's WebSocket (v4.channel.k8s.io in
// containerd 1.6) cannot say. The exit code comes from the error stream's Status.
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import type { ExecSession } from '../types.js';
import { SpdyServerConnection as SpdyConnection, type SpdyStream } from '../../server/spdy.js';

/** Exit code from an error-stream Status (0 for Success); undefined when it carries none. */
export function exitCodeOf(status: Record<string, any>): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = (status.details?.causes ?? []).find((c: Record<string, string>) => c.reason === 'ExitCode');
  return cause ? Number(cause.message) : undefined;
}

export function criSpdyExecSession(url: Promise<string>, opts: { stdin: boolean; tty: boolean }): ExecSession {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let conn: SpdyConnection | undefined;
  let killed = false;
  const session: ExecSession = {
    stdin,
    stdout,
    stderr,
    exited: new Promise<number>((resolve) => {
      const fail = (message: string) => {
        session.startError = message;
        stdout.end();
        stderr.end();
        resolve(126);
      };
      url.then((u) => {
        if (killed) return fail('killed');
        const req = request(u, { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' } });
        req.once('error', (e) => fail(e.message));
        req.once('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => fail(text.trim() || `the streaming server answered ${res.statusCode}`));
        });
        req.once('upgrade', (_res, socket, head) => {
          const c = new SpdyConnection({ send: (b) => void socket.write(b), close: () => socket.end() });
          conn = c;
          socket.on('data', (d: Buffer) => c.receive(d));
          socket.on('close', () => c.transportClosed());
          socket.on('error', () => c.transportClosed());
          if (head.length) c.receive(head);
          const open = (type: string) => c.openStream({ streamtype: type });
          const errStream = open('error');
          const streams: Array<Promise<void>> = [];
          const pipeOut = (s: SpdyStream, to: PassThrough) =>
            streams.push(
              new Promise<void>((done) => {
                s.on('data', (d: Buffer) => to.write(d));
                s.once('end', done);
                s.once('reset', done);
              }),
            );
          const inStream = opts.stdin ? open('stdin') : undefined;
          const outStream = open('stdout');
          pipeOut(outStream, stdout);
          const errOut = opts.tty ? undefined : open('stderr');
          if (errOut) pipeOut(errOut, stderr);
          // As client-go, stdin flows once the server has accepted every stream (SYN_REPLY):
          // a streaming server may not read a stream's data before it has them all.
          const opened = [errStream, inStream, outStream, errOut].filter((x): x is SpdyStream => !!x);
          void Promise.all(opened.map((x) => new Promise((r) => x.once('reply', r)))).then(() => {
            if (!inStream) return;
            stdin.on('data', (d: Buffer) => inStream.write(d));
            stdin.once('end', () => inStream.end());
          });
          let statusText = '';
          errStream.on('data', (d: Buffer) => (statusText += d));
          const statusDone = new Promise<void>((done) => {
            errStream.once('end', done);
            errStream.once('reset', done);
          });
          c.once('close', () => {
            stdout.end();
            stderr.end();
          });
          void Promise.race([Promise.all([statusDone, ...streams]), new Promise((r) => c.once('close', r))]).then(() => {
            stdout.end();
            stderr.end();
            c.close();
            if (!statusText) return resolve(killed ? 137 : 0);
            try {
              const st = JSON.parse(statusText);
              const code = exitCodeOf(st);
              if (code !== undefined) return resolve(code);
              session.startError = String(st.message ?? 'exec failed').replace(/^.*?(exec failed: |OCI runtime exec failed: )/, '');
            } catch {
              session.startError = statusText;
            }
            resolve(126);
          });
        });
        req.end();
      }, (e: Error) => fail(e.message));
    }),
    kill: () => {
      killed = true;
      conn?.close();
    },
  };
  return session;
}
