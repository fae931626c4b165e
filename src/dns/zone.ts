// Answers for names in the cluster zone (cluster.local), following the Kubernetes DNS-based
// service discovery specification (schema 1.1.0):
//   <svc>.<ns>.svc.<zone>            A/AAAA: the ClusterIPs; headless: the ready endpoint IPs;
//                                    ExternalName: a CNAME to spec.externalName
//   <host>.<svc>.<ns>.svc.<zone>     A/AAAA of a headless service's endpoint by hostname (or by
//                                    its dashed IP, as CoreDNS names endpoints without one)
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV per named port (per ready endpoint if headless)
//   <a-b-c-d>.<ns>.pod.<zone>        A (CoreDNS' `pods insecure`: read from the name)
//   dns-version.<zone>               TXT "1.1.0"
//   <zone>                           SOA, NS
//   <d>.<c>.<b>.<a>.in-addr.arpa     PTR of a ClusterIP or of a named headless endpoint
// Missing names are NXDOMAIN, names with no record of the asked type NOERROR with no answer;
// both carry the zone's SOA in the authority section (negative caching, RFC 2308).
// Divergences from CoreDNS: no wildcard queries, no `pods verified`, no ip6.arpa PTR.
import type { Answer, Question, SoaAnswer, SrvAnswer } from 'dns-packet';
import { isIP } from 'node:net';
import type { ClusterData, K } from './cluster-data.js';

export const SCHEMA_VERSION = '1.1.0';

export interface ZoneResult {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** An ExternalName's target: the server resolves it (A/AAAA) and appends the records. */
  chase?: string;
}

export interface ZoneOptions {
  /** The cluster domain, e.g. cluster.local. */
  domain: string;
  /** TTL of every record (CoreDNS' default: 5 s). */
  ttl?: number;
  /** The DNS service's own address, answered for ns.dns.<zone>. */
  nameserverIP?: string;
}

const dashedIP = (ip: string): string => (isIP(ip) === 6 ? ip.replace(/:/g, '-') : ip.replace(/\./g, '-'));

function ipFromDashed(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (isIP(v4) === 4) return v4;
  const v6 = label.replace(/-/g, ':');
  if (isIP(v6) === 6) return v6;
  return undefined;
}

export class ClusterZone {
  readonly domain: string;
  private readonly ttl: number;
  private readonly serial = Math.floor(Date.now() / 1000);

  constructor(
    private readonly data: ClusterData,
    private readonly opts: ZoneOptions,
  ) {
    this.domain = opts.domain.toLowerCase().replace(/\.$/, '');
    this.ttl = opts.ttl ?? 5;
  }

  /** Whether `name` belongs to the cluster zone (answered here, never forwarded). */
  inZone(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, '');
    return n === this.domain || n.endsWith(`.${this.domain}`);
  }

  soa(): SoaAnswer {
    return {
      name: this.domain,
      type: 'SOA',
      class: 'IN',
      ttl: this.ttl,
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: this.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl },
    };
  }

  private negative(rcode: 'NOERROR' | 'NXDOMAIN'): ZoneResult {
    return { rcode, answers: [], authorities: [this.soa()], additionals: [] };
  }

  private ok(answers: Answer[], additionals: Answer[] = []): ZoneResult {
    if (answers.length === 0) return this.negative('NOERROR');
    return { rcode: 'NOERROR', answers, authorities: [], additionals };
  }

  private addr(name: string, ip: string): Answer {
    return { name, type: isIP(ip) === 6 ? 'AAAA' : 'A', class: 'IN', ttl: this.ttl, data: ip };
  }

  /** Address records of the asked type (A or AAAA) among `ips`; other types get none. */
  private addrs(name: string, type: string, ips: string[]): Answer[] {
    const family = type === 'A' ? 4 : type === 'AAAA' ? 6 : 0;
    return ips.filter((ip) => isIP(ip) === family).map((ip) => this.addr(name, ip));
  }

  /** Answers a question whose name is in the zone. */
  answer(q: Question): ZoneResult {
    const name = q.name.replace(/\.$/, '');
    const lower = name.toLowerCase();
    const rel = lower === this.domain ? [] : lower.slice(0, -(this.domain.length + 1)).split('.');
    if (rel.length === 0) {
      if (q.type === 'SOA') return this.ok([{ ...this.soa(), name }]);
      if (q.type === 'NS') return this.ok([{ name, type: 'NS', class: 'IN', ttl: this.ttl, data: `ns.dns.${this.domain}` }]);
      return this.negative('NOERROR');
    }
    const last = rel[rel.length - 1];
    if (rel.length === 1 && last === 'dns-version') {
      return q.type === 'TXT' ? this.ok([{ name, type: 'TXT', class: 'IN', ttl: this.ttl, data: [SCHEMA_VERSION] }]) : this.negative('NOERROR');
    }
    if (rel.join('.') === 'ns.dns' && this.opts.nameserverIP) return this.ok(this.addrs(name, q.type, [this.opts.nameserverIP]));
    if (last === 'svc') return this.service(q, name, rel.slice(0, -1));
    if (last === 'pod') return this.pod(q, name, rel.slice(0, -1));
    // Empty non-terminals of the zone's own tree.
    if (rel.length === 1 && (last === 'dns' || last === 'svc' || last === 'pod')) return this.negative('NOERROR');
    return this.negative('NXDOMAIN');
  }

  private pod(q: Question, name: string, labels: string[]): ZoneResult {
    if (labels.length === 0) return this.negative('NOERROR');
    if (labels.length === 1) return this.negative('NOERROR'); // <ns>.pod.<zone>
    if (labels.length !== 2) return this.negative('NXDOMAIN');
    const ip = ipFromDashed(labels[0]);
    if (!ip) return this.negative('NXDOMAIN');
    return this.ok(this.addrs(name, q.type, [ip]));
  }

  private service(q: Question, name: string, labels: string[]): ZoneResult {
    // labels: [] svc.<zone> | [ns] | [svc, ns] | [host|_proto, svc, ns] | [_port, _proto, svc, ns]
    if (labels.length === 0) return this.negative('NOERROR');
    const ns = labels[labels.length - 1];
    if (labels.length === 1) return this.negative(this.data.hasServicesIn(ns) ? 'NOERROR' : 'NXDOMAIN');
    const svc = this.data.service(ns, labels[labels.length - 2]);
    if (!svc) return this.negative('NXDOMAIN');
    const svcName = `${svc.metadata?.name}.${ns}.svc.${this.domain}`;
    if (labels.length === 2) return this.serviceRecords(q, name, svc, svcName);
    if (labels.length === 3) {
      if (labels[0].startsWith('_')) return this.negative('NOERROR'); // _proto.<svc>: empty non-terminal
      return this.endpointRecords(q, name, svc, labels[0]);
    }
    if (labels.length === 4 && labels[0].startsWith('_') && labels[1].startsWith('_')) return this.srv(q, name, svc, svcName, labels[0].slice(1), labels[1].slice(1));
    return this.negative('NXDOMAIN');
  }

  private serviceRecords(q: Question, name: string, svc: K, svcName: string): ZoneResult {
    if (svc.spec?.type === 'ExternalName') {
      const target = String(svc.spec?.externalName ?? '').replace(/\.$/, '');
      if (!target) return this.negative('NXDOMAIN');
      const cname: Answer = { name, type: 'CNAME', class: 'IN', ttl: this.ttl, data: target };
      return { rcode: 'NOERROR', answers: [cname], authorities: [], additionals: [], chase: q.type === 'A' || q.type === 'AAAA' ? target : undefined };
    }
    if (q.type === 'SRV') {
      // All named ports of the service (CoreDNS answers SRV on the service name too).
      const answers: Answer[] = [];
      const additionals: Answer[] = [];
      for (const p of svc.spec?.ports ?? []) {
        if (!p.name) continue;
        const r = this.srv(q, name, svc, svcName, String(p.name).toLowerCase(), String(p.protocol ?? 'TCP').toLowerCase());
        answers.push(...r.answers);
        additionals.push(...r.additionals.filter((a) => !additionals.some((b) => b.name === a.name && 'data' in b && 'data' in a && b.data === a.data)));
      }
      return this.ok(answers, additionals);
    }
    const ips = this.data.isHeadless(svc) ? this.data.readyAddresses(svc).map((a) => a.ip) : this.data.clusterIPs(svc);
    return this.ok(this.addrs(name, q.type, ips));
  }

  private endpointRecords(q: Question, name: string, svc: K, host: string): ZoneResult {
    if (!this.data.isHeadless(svc)) return this.negative('NXDOMAIN');
    const ips = this.data
      .readyAddresses(svc)
      .filter((a) => (a.hostname ?? '').toLowerCase() === host || dashedIP(a.ip) === host)
      .map((a) => a.ip);
    if (ips.length === 0) return this.negative('NXDOMAIN');
    return this.ok(this.addrs(name, q.type, ips));
  }

  private srv(q: Question, name: string, svc: K, svcName: string, port: string, proto: string): ZoneResult {
    const sp = (svc.spec?.ports ?? []).find((p: K) => p.name && String(p.name).toLowerCase() === port && String(p.protocol ?? 'TCP').toLowerCase() === proto);
    if (!sp) return this.negative('NXDOMAIN');
    if (q.type !== 'SRV') return this.negative('NOERROR');
    const srv = (target: string, portNumber: number, weight: number): SrvAnswer => ({
      name,
      type: 'SRV',
      class: 'IN',
      ttl: this.ttl,
      data: { priority: 0, weight, port: portNumber, target },
    });
    if (!this.data.isHeadless(svc)) {
      return this.ok([srv(svcName, sp.port, 100)], this.data.clusterIPs(svc).map((ip) => this.addr(svcName, ip)));
    }
    const eps = this.data.readyAddresses(svc);
    const epPort = this.data.endpointPort(svc, sp.name, sp.protocol ?? 'TCP') ?? sp.port;
    const weight = eps.length ? Math.max(1, Math.floor(100 / eps.length)) : 100;
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    for (const ep of eps) {
      const target = `${ep.hostname ?? dashedIP(ep.ip)}.${svcName}`;
      answers.push(srv(target, epPort, weight));
      additionals.push(this.addr(target, ep.ip));
    }
    return this.ok(answers, additionals);
  }

  /** PTR for a reverse name of a ClusterIP or a named headless endpoint; undefined when the
   * address is not the cluster's (the server forwards those). */
  reverse(q: Question): ZoneResult | undefined {
    const m = q.name.toLowerCase().replace(/\.$/, '').match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/);
    if (!m) return undefined;
    const ip = [m[4], m[3], m[2], m[1]].join('.');
    if (isIP(ip) !== 4) return undefined;
    const targets = [
      ...this.data.servicesWithIP(ip).map((s) => `${s.metadata?.name}.${s.metadata?.namespace}.svc.${this.domain}`),
      ...this.data.namedEndpointsWithIP(ip).map(({ svc, hostname }) => `${hostname}.${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${this.domain}`),
    ];
    if (targets.length === 0) return undefined;
    if (q.type !== 'PTR') return this.negative('NOERROR');
    return this.ok(targets.map((t) => ({ name: q.name.replace(/\.$/, ''), type: 'PTR', class: 'IN', ttl: this.ttl, data: t }) as Answer));
  }
}
