// kubectl attach over WebSocket (v5/v4.channel.k8s.io, the channels of exec.ts): the client
// gets the running container's output from the moment it attaches (channel 1 stdout, 2 stderr)
// and, with stdin, writes to the container's stdin (channel 0; v5's [255, 0] closes it, which
// ends the container's stdin only when the spec says stdinOnce). When the container exits the
// session ends with a Success status on channel 3 and close 1000, as the kubelet's streaming
// server does (kubectl run -i reads the exit code from the pod afterwards); when the client
// goes, it detaches and the container keeps running. Divergence: no tty (resize is ignored).
import type { WebSocket } from 'ws';
import type { Logger } from '../../util/log.js';
import type { ExecSession } from '../runtime/types.js';
import type { ExecStreams } from './exec.js';

export function runAttach(ws: WebSocket, session: ExecSession, s: ExecStreams, log: Logger): void {
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
  const outs = Promise.all([drained(session.stdout, 1, s.stdout || s.tty), drained(session.stderr, s.tty ? 1 : 2, s.stderr || s.tty)]);
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const ch = data[0];
    if (ch === 0 && s.stdin) session.stdin.write(data.subarray(1));
    else if (v5 && ch === 255 && data[1] === 0) session.stdin.end();
  });
  let finished = false;
  ws.on('close', () => {
    if (!finished) session.kill();
  });
  ws.on('error', (e) => log.debug({ err: e.message }, 'attach websocket error'));
  void session.exited.then(async () => {
    await outs;
    finished = true;
    if (ws.readyState !== ws.OPEN) return;
    const status = session.startError ? { metadata: {}, status: 'Failure', message: `failed to attach to container: ${session.startError}`, reason: 'InternalError', code: 500 } : { metadata: {}, status: 'Success' };
    send(3, Buffer.from(JSON.stringify(status)));
    ws.close(1000);
  });
}
