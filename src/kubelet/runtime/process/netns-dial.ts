// Port-forward into a pod's network namespace: the connection is made to 127.0.0.1:<port> inside
// the namespace, as the CRI's PortForward does (a server bound to the pod's loopback only is
// reachable too). A Node process can only enter a network namespace for a whole thread, so a
// small helper process is started in it (nsenter --net) that connects and copies bytes between its
// stdio and the socket; the stream returned is its stdin/stdout. The helper reports the connect
// outcome on stderr first ("ok", or the error code), so a refused port rejects as a dial error.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';

const HELPER = `
const s = require('node:net').connect({ host: '127.0.0.1', port: Number(process.argv[1]) });
s.once('connect', () => {
  process.stderr.write('ok\\n');
  process.stdin.pipe(s);
  s.pipe(process.stdout);
});
s.on('close', () => process.exit(0));
s.once('error', (e) => { process.stderr.write((e.code || e.message) + '\\n'); process.exit(1); });
`;

/** Connects to 127.0.0.1:port inside `netns` (a path); rejects like a Go dial error. */
export function dialInNetns(netns: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, '-e', HELPER, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      reject(new Error(why === 'ECONNREFUSED' ? `dial tcp4 127.0.0.1:${port}: connect: connection refused` : `dial tcp4 127.0.0.1:${port}: ${why}`));
    };
    child.once('error', (e) => fail(e.message));
    child.stdin.on('error', () => undefined);
    child.stderr.on('data', (d: Buffer) => {
      if (settled) return;
      err += d;
      if (!err.includes('\n')) return;
      const line = err.split('\n')[0].trim();
      if (line !== 'ok') return fail(line);
      settled = true;
      resolve(helperStream(child));
    });
    child.once('exit', (code) => fail(err.trim() || `helper exited with ${code}`));
  });
}

/** The helper's stdio as one socket-like stream: its stdout is what the pod's server sent (end
 * when the connection ends; like a socket, not half-open, so our side ends then too), writes go
 * to its stdin; destroying the stream kills the helper. */
function helperStream(child: ChildProcessWithoutNullStreams): Duplex {
  const out = child.stdout;
  const stream = new Duplex({
    allowHalfOpen: false,
    read: () => void out.resume(),
    write: (chunk: Buffer, _enc, cb) => void child.stdin.write(chunk, () => cb()),
    final: (cb) => {
      child.stdin.end();
      cb();
    },
    destroy: (err, cb) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      cb(err);
    },
  });
  out.on('data', (d: Buffer) => {
    if (!stream.push(d)) out.pause();
  });
  out.once('end', () => stream.push(null));
  return stream;
}
