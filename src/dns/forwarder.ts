// Forwarding of names outside the cluster zone to upstream resolvers (CoreDNS' `forward . 
// /etc/resolv.conf`): the client's query is sent as it came (EDNS and flags intact, only the ID
// changed) over UDP from a fresh socket (a random source port per query), to each upstream in
// turn until one answers; a truncated UDP answer is fetched again over TCP when the client itself
// asked over TCP. No upstream answering within the timeout means SERVFAIL (the caller builds it).
import { createSocket } from 'node:dgram';
import { isIP, connect } from 'node:net';
import { randomInt } from 'node:crypto';

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Time to wait for one upstream before trying the next (default 2000 ms). */
  attemptTimeoutMs?: number;
  /** Time for the whole forward (default 5000 ms). */
  timeoutMs?: number;
}

/** "1.2.3.4", "1.2.3.4:5353", "[::1]:53" -> Upstream. */
export function parseUpstream(s: string): Upstream {
  const m = s.match(/^\[(.+)\]:(\d+)$/) ?? s.match(/^([^:]+):(\d+)$/);
  if (m) return { host: m[1], port: Number(m[2]) };
  return { host: s, port: 53 };
}

function withId(msg: Buffer, id: number): Buffer {
  const b = Buffer.from(msg);
  b.writeUInt16BE(id, 0);
  return b;
}

function udpExchange(up: Upstream, msg: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIP(up.host) === 6 ? 'udp6' : 'udp4');
    const id = msg.readUInt16BE(0);
    const done = (err?: Error, res?: Buffer) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(res!);
    };
    const timer = setTimeout(() => done(new Error(`no answer from ${up.host}:${up.port} within ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('message', (res, rinfo) => {
      // Only the upstream's answer to this very query (spoofing and stray packets are ignored).
      if (rinfo.port !== up.port || res.length < 12 || res.readUInt16BE(0) !== id) return;
      done(undefined, res);
    });
    sock.send(msg, up.port, up.host, (e) => e && done(e));
  });
}

export function tcpExchange(up: Upstream, msg: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    const done = (err?: Error, res?: Buffer) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(res!);
    };
    const timer = setTimeout(() => done(new Error(`no answer from ${up.host}:${up.port} (tcp) within ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      sock.write(Buffer.concat([len, msg]));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('end', () => done(new Error(`${up.host}:${up.port} closed the connection without an answer`)));
  });
}

const isTruncated = (res: Buffer): boolean => (res.readUInt16BE(2) & 0x0200) !== 0;

export class Forwarder {
  private readonly attemptTimeoutMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ForwarderOptions) {
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? 2000;
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  get upstreams(): Upstream[] {
    return this.opts.upstreams;
  }

  /** The upstream's answer to `query` (raw, with the client's ID), or undefined when none answered. */
  async forward(query: Buffer, viaTcp: boolean): Promise<Buffer | undefined> {
    const clientId = query.readUInt16BE(0);
    const deadline = Date.now() + this.timeoutMs;
    for (const up of this.opts.upstreams) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const msg = withId(query, randomInt(0, 65536));
      try {
        let res = await udpExchange(up, msg, Math.min(left, this.attemptTimeoutMs));
        if (viaTcp && isTruncated(res)) res = await tcpExchange(up, msg, Math.max(1, Math.min(deadline - Date.now(), this.attemptTimeoutMs)));
        return withId(res, clientId);
      } catch {
        // Next upstream.
      }
    }
    return undefined;
  }
}
