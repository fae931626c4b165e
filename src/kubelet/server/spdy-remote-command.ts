// kubectl exec/attach over SPDY/3.1 (remotecommand v4.channel.k8s.io; kubectl falls back to it
// when the WebSocket upgrade is refused, and client libraries before 1.30 speak only this): after
// the 101 the client opens one stream per channel, typed by the `streamtype` header (error,
// stdin, stdout, stderr, resize). Once the expected ones are there the command starts; output
// goes to the stdout/stderr streams, the end of the stdin stream closes the command's stdin, and
// the final metav1.Status (Success, or NonZeroExitCode with the ExitCode cause) is written on
// the error stream before the streams close. Divergence: only v4.channel.k8s.io (v1-v3 predate
// Kubernetes 1.5). With a tty, the resize stream's TerminalSize messages resize the session.
import type { Duplex } from 'node:stream';
import type { Logger } from '../../util/log.js';
import type { ExecSession } from '../runtime/types.js';
import { applyResize, type ExecStreams } from './exec.js';
import { SpdyServerConnection, type SpdyStream } from './spdy.js';

export const remoteCommandProtocol = 'v4.channel.k8s.io';

/** The X-Stream-Protocol-Version values a request offers. */
export function offeredStreamProtocols(header: string | string[] | undefined): string[] {
  return (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
}

export function spdyRemoteCommandResponse(): string {
  return `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${remoteCommandProtocol}\r\n\r\n`;
}

/**
 * Serves one exec/attach on a socket already answered with 101. `start` runs the command (or
 * attaches) once the client's streams are open; `status` gives the Status for its exit code.
 * `endUnusedStdin`: close the command's stdin when the client sends none (exec, not attach).
 */
export function serveSpdyRemoteCommand(socket: Duplex, head: Buffer, want: ExecStreams, start: () => ExecSession, status: (code: number, session: ExecSession) => Record<string, unknown>, log: Logger, endUnusedStdin = true): void {
  const conn = new SpdyServerConnection({ send: (b) => void socket.write(b), close: () => socket.end() });
  socket.on('data', (d: Buffer) => conn.receive(d));
  socket.on('close', () => conn.transportClosed());
  socket.on('error', () => conn.transportClosed());
  const streams = new Map<string, SpdyStream>();
  const needed = ['error', ...(want.stdin ? ['stdin'] : []), ...(want.stdout ? ['stdout'] : []), ...(want.stderr && !want.tty ? ['stderr'] : [])];
  let session: ExecSession | undefined;
  let finished = false;
  conn.on('close', () => {
    if (!finished) session?.kill();
  });
  conn.on('stream', (s: SpdyStream) => {
    const type = s.headers.streamtype ?? '';
    streams.set(type, s);
    if (type === 'resize' && want.tty) s.on('data', (d: Buffer) => session && applyResize(session, d));
    if (!session && needed.every((t) => streams.has(t))) run();
  });
  const run = () => {
    try {
      session = start();
    } catch (e) {
      const err = streams.get('error')!;
      err.write(Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: (e as Error).message, reason: 'InternalError', code: 500 })));
      err.end();
      return;
    }
    const sess = session;
    const stdin = streams.get('stdin');
    if (stdin) {
      stdin.on('data', (d: Buffer) => sess.stdin.write(d));
      stdin.on('end', () => sess.stdin.end());
    } else if (endUnusedStdin) sess.stdin.end();
    const copy = (from: NodeJS.ReadableStream, to: SpdyStream | undefined) =>
      new Promise<void>((resolve) => {
        from.on('data', (d: Buffer | string) => to?.write(Buffer.isBuffer(d) ? d : Buffer.from(d)));
        from.once('end', resolve);
        from.once('close', resolve);
        from.once('error', () => resolve());
      });
    const outs = Promise.all([copy(sess.stdout, streams.get('stdout')), copy(sess.stderr, want.tty ? streams.get('stdout') : streams.get('stderr'))]);
    void sess.exited.then(async (code) => {
      await outs;
      finished = true;
      streams.get('stdout')?.end();
      streams.get('stderr')?.end();
      const err = streams.get('error')!;
      err.write(Buffer.from(JSON.stringify(status(code, sess))));
      err.end();
      log.debug({ code }, 'spdy remote command finished');
      // The client closes the connection once it has read the status; make sure it goes.
      setTimeout(() => conn.close(), 5000).unref();
    });
  };
}
