// kubectl attach over WebSocket (v5/v4.channel.k8s.io, the channels of exec.ts): the client
// gets the running container's output from the moment it attaches (channel 1 stdout, 2 stderr)
// and, with stdin, writes to the container's stdin (channel 0; v5's [255, 0] closes it, which
// ends the container's stdin only when the spec says stdinOnce). When the container exits the
// session ends with a Success status on channel 3 and close 1000, as the kubelet's streaming
// server does (kubectl run -i reads the exit code from the pod afterwards); when the client
// goes, it detaches and the container keeps running. A container started with a tty is attached to
// its terminal (one output stream; resize messages set the terminal size).
import type { WebSocket } from 'ws';
import type { Logger } from '../../util/log.js';
import type { ExecSession } from '../runtime/types.js';
import { bridgeSession, type ExecStreams } from './exec.js';

export function runAttach(ws: WebSocket, session: ExecSession, s: ExecStreams, log: Logger): void {
  bridgeSession(ws, session, { ...s, stdout: s.stdout || s.tty }, log, 'attach', (_code, startError) =>
    startError ? { metadata: {}, status: 'Failure', message: `failed to attach to container: ${startError}`, reason: 'InternalError', code: 500 } : { metadata: {}, status: 'Success' },
  );
}
