// kubectl exec on a CRI runtime: CRI Exec returns a URL of the runtime's streaming server
// (containerd: http://127.0.0.1:<port>/exec/<token>); we connect to it over WebSocket with the
// v4.channel.k8s.io protocol (containerd 1.6's streaming server predates v5) and bridge it to an
// ExecSession: channel 0 stdin, 1 stdout, 2 stderr, 3 the final metav1.Status (exit code from
// its ExitCode cause). Divergence: v4 cannot signal the end of stdin, so a command that reads
// stdin to EOF (`exec -i ... < file`) only ends when the client disconnects; the real kubelet
// proxies SPDY, which can half-close.
import { PassThrough } from 'node:stream';
import { WebSocket } from 'ws';
import type { ExecSession } from '../types.js';

/** Exit code from a channel-3 Status (0 for Success); undefined when it carries none. */
export function exitCodeOf(status: Record<string, any>): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = (status.details?.causes ?? []).find((c: Record<string, string>) => c.reason === 'ExitCode');
  return cause ? Number(cause.message) : undefined;
}

export function criExecSession(url: Promise<string>): ExecSession {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let ws: WebSocket | undefined;
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
      url.then(
        (u) => {
          if (killed) return fail('killed');
          const sock = new WebSocket(u.replace(/^http/, 'ws'), ['v4.channel.k8s.io', 'channel.k8s.io']);
          ws = sock;
          let code: number | undefined;
          let startError: string | undefined;
          sock.on('message', (data: Buffer) => {
            if (data.length < 2) return; // an empty frame opens a channel
            const ch = data[0];
            const body = data.subarray(1);
            if (ch === 1) stdout.write(body);
            else if (ch === 2) stderr.write(body);
            else if (ch === 3) {
              try {
                const st = JSON.parse(body.toString());
                code = exitCodeOf(st);
                if (code === undefined) startError = String(st.message ?? 'exec failed').replace(/^.*?(exec failed: |OCI runtime exec failed: )/, '');
              } catch {
                startError = body.toString();
              }
            }
          });
          // stdin flows once the socket is open (until then the PassThrough buffers it).
          sock.once('open', () => stdin.on('data', (d: Buffer) => sock.send(Buffer.concat([Buffer.from([0]), d]))));
          sock.once('error', (e) => {
            if (code === undefined && !startError) startError = e.message;
          });
          sock.once('close', () => {
            stdout.end();
            stderr.end();
            if (code !== undefined) resolve(code);
            else if (startError) {
              session.startError = startError;
              resolve(126);
            } else resolve(killed ? 137 : 0);
          });
        },
        (e: Error) => fail(e.message),
      );
    }),
    kill: () => {
      killed = true;
      ws?.close();
    },
  };
  return session;
}
