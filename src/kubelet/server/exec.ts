// kubectl exec over WebSocket (k8s.io/apimachinery wsstream, the channel.k8s.io protocols):
// every binary message starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 status (one
// JSON metav1.Status when the command ended), 4 resize ({"Width","Height"}: the terminal size of a
// tty session). v5.channel.k8s.io adds the close message [255, channel] (the client closed
// stdin). The connection closes with 1000 after the status.
import type { WebSocket } from 'ws';
import type { Logger } from '../../util/log.js';
import type { ContainerRuntime, ExecSession } from '../runtime/types.js';

const protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** The subprotocol to answer with (newest first), or undefined. */
export function acceptedProtocol(offered: Set<string>): string | undefined {
  return protocols.find((p) => offered.has(p));
}

/** The channel-3 Status for an exit code (what remotecommand's v4 error decoder expects). */
export function exitStatus(code: number, startError?: string): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  if (startError) return { metadata: {}, status: 'Failure', message: `failed to exec in container: ${startError}`, reason: 'InternalError', code: 500 };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export interface ExecStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export function runExec(ws: WebSocket, runtime: ContainerRuntime, containerId: string, command: string[], s: ExecStreams, log: Logger): void {
  let session;
  try {
    session = runtime.execStream!(containerId, command, { tty: s.tty, stdin: s.stdin });
  } catch (e) {
    ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(exitStatus(126, (e as Error).message)))]));
    ws.close(1000);
    return;
  }
  if (!s.stdin) session.stdin.end();
  bridgeSession(ws, session, s, log, 'exec', (code, startError) => exitStatus(code, startError));
}

/** Applies resize messages (kubectl's TerminalSize JSON, {"Width":W,"Height":H}; the SPDY resize
 * stream sends them one per line) to a tty session; malformed ones are ignored, as the kubelet's
 * streaming server does. */
export function applyResize(session: ExecSession, data: Buffer): void {
  for (const line of data.toString().split('\n')) {
    if (!line.trim()) continue;
    try {
      const size = JSON.parse(line) as { Width?: unknown; Height?: unknown };
      if (typeof size.Width === 'number' && typeof size.Height === 'number') session.resize?.(size.Width, size.Height);
    } catch {
      /* not JSON: ignored */
    }
  }
}

/**
 * Carries a running session over the channel protocol (exec and attach): stdout on 1, stderr on 2
 * (on 1 with a tty), client stdin from 0 (v5's [255, 0] closes it), the session killed if the
 * client goes first; once it ends and its output is drained, `status` goes on 3 and close 1000.
 */
export function bridgeSession(ws: WebSocket, session: ExecSession, s: ExecStreams, log: Logger, what: string, status: (code: number, startError?: string) => Record<string, unknown>): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  const drained = (stream: NodeJS.ReadableStream, channel: number, wanted: boolean) =>
    new Promise<void>((resolve) => {
      stream.on('data', (d: Buffer | string) => {
        if (wanted) send(channel, Buffer.isBuffer(d) ? d : Buffer.from(d));
      });
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
  // With a tty, stderr goes to the one terminal stream (stdout).
  const outs = Promise.all([drained(session.stdout, 1, s.stdout), drained(session.stderr, s.tty ? 1 : 2, s.stderr || s.tty)]);
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const ch = data[0];
    if (ch === 0 && s.stdin) session.stdin.write(data.subarray(1));
    else if (v5 && ch === 255 && data[1] === 0) session.stdin.end();
    else if (ch === 4 && s.tty) applyResize(session, data.subarray(1));
  });
  let finished = false;
  ws.on('close', () => {
    if (!finished) session.kill();
  });
  ws.on('error', (e) => log.debug({ err: e.message }, `${what} websocket error`));
  void session.exited.then(async (code) => {
    await outs;
    finished = true;
    if (ws.readyState !== ws.OPEN) return;
    send(3, Buffer.from(JSON.stringify(status(code, session.startError))));
    ws.close(1000);
  });
}
