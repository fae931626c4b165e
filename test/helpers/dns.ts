// A small DNS client for tests (dns-packet over UDP or TCP) and a fake upstream resolver on
// loopback that answers from a fixed table, so forwarding can be tested without the internet.
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket, { type Answer, type DecodedPacket, type RecordType } from 'dns-packet';
import { tcpExchange } from '../../src/dns/forwarder.js';

export interface QueryOptions {
  tcp?: boolean;
  /** Announce EDNS with this UDP payload size. */
  edns?: number;
  timeoutMs?: number;
}

export type Response = DecodedPacket & { rcode: string };

export async function query(port: number, name: string, type: RecordType, o: QueryOptions = {}, host = '127.0.0.1'): Promise<Response> {
  const id = Math.floor(Math.random() * 65536);
  const msg = dnsPacket.encode({
    id,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals: o.edns ? [{ name: '.', type: 'OPT', udpPayloadSize: o.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
  const timeout = o.timeoutMs ?? 5000;
  const raw = o.tcp ? await tcpExchange({ host, port }, msg, timeout) : await udpQuery(host, port, msg, timeout);
  return Object.assign(dnsPacket.decode(raw), { raw }) as unknown as Response;
}

function udpQuery(host: string, port: number, msg: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      reject(new Error(`no UDP answer from ${host}:${port}`));
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m);
    });
    s.send(msg, port, host);
  });
}

/** A records of a fake upstream: name -> IPs; names listed in `silent` get no answer at all. */
export interface FakeUpstream {
  port: number;
  queries: string[];
  close(): Promise<void>;
}

export async function startFakeUpstream(records: Record<string, string[]>, silent: string[] = []): Promise<FakeUpstream> {
  const sock: Socket = createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (m, r) => {
    const q = dnsPacket.decode(m);
    const question = q.questions![0];
    queries.push(`${question.name} ${question.type}`);
    if (silent.includes(question.name)) return;
    const ips = records[question.name.toLowerCase()];
    const answers: Answer[] = question.type === 'A' ? (ips ?? []).map((ip) => ({ name: question.name, type: 'A', ttl: 60, class: 'IN', data: ip })) : [];
    const res = dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (ips ? 0 : 3), questions: q.questions, answers });
    sock.send(res, r.port, r.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  return { port: sock.address().port, queries, close: () => new Promise((r) => sock.close(() => r())) };
}
