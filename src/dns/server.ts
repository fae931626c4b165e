// The cluster DNS server: UDP and TCP on one address and port. Names in the cluster zone (and
// reverse names of cluster addresses) are answered from the informer caches (zone.ts); every other
// name goes to the host's resolvers (forwarder.ts), SERVFAIL when none answers. UDP answers that
// do not fit the client's size (512 bytes, or its EDNS payload size) lose their additional
// section, then answers, and carry the TC bit so the client retries over TCP.
// Divergences from CoreDNS: no cache, no DNSSEC, no zone transfers, one question per query.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet } from 'dns-packet';
import type { Logger } from '../util/log.js';
import { prom, registry } from '../util/metrics.js';
import type { Forwarder } from './forwarder.js';
import type { ClusterZone, ZoneResult } from './zone.js';

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODE;
const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;
/** The UDP payload size we announce with EDNS (the DNS flag day 2020 value). */
const EDNS_PAYLOAD = 1232;

const requests = new prom.Counter({
  name: 'keelson_dns_requests_total',
  help: 'DNS requests by protocol, where they were answered (cluster zone or forwarded) and response code.',
  labelNames: ['proto', 'source', 'rcode'] as const,
  registers: [registry],
});

export interface DnsServerOptions {
  zone: ClusterZone;
  forwarder: Forwarder;
  log: Logger;
}

export interface ListenOptions {
  host: string;
  /** Preferred port (53 in a cluster; 0 = any free port). */
  port: number;
  /** When the preferred port cannot be bound (in use, or not root), take a free one instead. */
  fallbackToFreePort?: boolean;
}

export class DnsServer {
  private udp?: Socket;
  private tcp?: Server;
  private readonly conns = new Set<TcpSocket>();
  address = { host: '', port: 0 };

  constructor(private readonly opts: DnsServerOptions) {}

  async listen(l: ListenOptions): Promise<{ host: string; port: number }> {
    let port = l.port;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.bindBoth(l.host, port);
        return (this.address = { host: l.host, port: this.address.port });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const retryable = code === 'EADDRINUSE' || code === 'EACCES';
        if (!retryable || attempt >= 5 || (port !== 0 && !l.fallbackToFreePort)) throw e;
        if (port !== 0) this.opts.log.warn({ port, err: code }, 'cluster DNS cannot use its preferred port: using a free one');
        port = 0;
      }
    }
  }

  private async bindBoth(host: string, port: number): Promise<void> {
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const bound = udp.address().port;
    const tcp = createServer((s) => this.onTcp(s));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(bound, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      udp.close();
      throw e;
    }
    udp.on('error', (e) => this.opts.log.warn({ err: e.message }, 'dns udp socket error'));
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, false).then((res) => res && udp.send(res, rinfo.port, rinfo.address));
    });
    this.udp = udp;
    this.tcp = tcp;
    this.address = { host, port: bound };
  }

  private onTcp(sock: TcpSocket): void {
    this.conns.add(sock);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.handle(msg, true).then((res) => {
          if (!res || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(res.length);
          sock.write(Buffer.concat([len, res]));
        });
      }
    });
  }

  /** The raw response to a raw query (undefined: drop it, e.g. not even a header). */
  async handle(msg: Buffer, viaTcp: boolean): Promise<Buffer | undefined> {
    const proto = viaTcp ? 'tcp' : 'udp';
    if (msg.length < 12 || msg.readUInt16BE(2) & QR) return undefined;
    let q: DecodedPacket;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return this.bare(msg, 'FORMERR', proto);
    }
    const opcode = (msg.readUInt16BE(2) >> 11) & 0xf;
    if (opcode !== 0) return this.bare(msg, 'NOTIMP', proto);
    if ((q.questions ?? []).length !== 1) return this.bare(msg, 'FORMERR', proto);
    const question = q.questions![0];
    const opt = (q.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');
    const maxUdp = opt ? Math.min(4096, Math.max(512, opt.udpPayloadSize)) : 512;
    const zone = this.opts.zone;
    let result: ZoneResult | undefined;
    try {
      result = zone.inZone(question.name) ? zone.answer(question) : question.type === 'PTR' || /\.in-addr\.arpa\.?$/i.test(question.name) ? zone.reverse(question) : undefined;
      if (result?.chase) result = await this.chase(result, question.type, viaTcp);
    } catch (e) {
      this.opts.log.warn({ err: (e as Error).message, name: question.name }, 'cluster DNS lookup failed');
      return this.bare(msg, 'SERVFAIL', proto);
    }
    if (!result) {
      const res = await this.opts.forwarder.forward(msg, viaTcp);
      if (!res) {
        requests.inc({ proto, source: 'forward', rcode: 'SERVFAIL' });
        return this.bare(msg, 'SERVFAIL', proto);
      }
      requests.inc({ proto, source: 'forward', rcode: String(res.readUInt16BE(2) & 0xf) });
      return res;
    }
    requests.inc({ proto, source: 'cluster', rcode: result.rcode });
    const flags = QR | AA | (q.flags! & RD) | RA | RCODE[result.rcode];
    const packet: Packet = {
      id: q.id,
      type: 'response',
      flags,
      questions: [question],
      answers: result.answers,
      authorities: result.authorities,
      additionals: [...result.additionals, ...(opt ? [ednsOpt()] : [])],
    };
    return viaTcp ? dnsPacket.encode(packet) : fit(packet, maxUdp, !!opt);
  }

  /** Appends the A/AAAA records of an ExternalName's target (from the zone or upstream). */
  private async chase(result: ZoneResult, type: string, viaTcp: boolean): Promise<ZoneResult> {
    const target = result.chase!;
    const zone = this.opts.zone;
    const q = { name: target, type: type as 'A' | 'AAAA' };
    if (zone.inZone(target)) {
      const r = zone.answer(q);
      return { ...result, answers: [...result.answers, ...r.answers], chase: undefined };
    }
    const query = dnsPacket.encode({ id: 0, type: 'query', flags: RD, questions: [q] });
    const res = await this.opts.forwarder.forward(query, viaTcp);
    if (!res) return { ...result, chase: undefined };
    try {
      const decoded = dnsPacket.decode(res);
      return { ...result, answers: [...result.answers, ...(decoded.answers ?? [])], chase: undefined };
    } catch {
      return { ...result, chase: undefined };
    }
  }

  /** A response carrying only the header (and the question if parseable) with an error code. */
  private bare(msg: Buffer, rcode: Rcode, proto: string): Buffer {
    requests.inc({ proto, source: 'cluster', rcode });
    const id = msg.readUInt16BE(0);
    const flags = QR | (msg.readUInt16BE(2) & (RD | 0x7800)) | RA | RCODE[rcode];
    let questions: Packet['questions'];
    try {
      questions = dnsPacket.decode(msg).questions ?? [];
    } catch {
      questions = [];
    }
    const res = Buffer.alloc(12);
    res.writeUInt16BE(id, 0);
    res.writeUInt16BE(flags, 2);
    if (questions.length !== 1) return res;
    return dnsPacket.encode({ id, type: 'response', flags, questions });
  }

  async close(): Promise<void> {
    for (const s of this.conns) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }
}

function ednsOpt(): OptAnswer {
  return { name: '.', type: 'OPT', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

/** Encodes a UDP response within `max` bytes: additionals go first (keeping OPT), then answers
 * from the end, and the TC bit tells the client to ask again over TCP. */
function fit(packet: Packet, max: number, edns: boolean): Buffer {
  let out = dnsPacket.encode(packet);
  if (out.length <= max) return out;
  const p: Packet = { ...packet, additionals: edns ? [ednsOpt()] : [] };
  out = dnsPacket.encode(p);
  if (out.length <= max) return out;
  const answers: Answer[] = [...(p.answers ?? [])];
  p.flags = (p.flags ?? 0) | TC;
  p.authorities = [];
  while (answers.length) {
    answers.pop();
    out = dnsPacket.encode({ ...p, answers });
    if (out.length <= max) return out;
  }
  return dnsPacket.encode({ ...p, answers: [] });
}
