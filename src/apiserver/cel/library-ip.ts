// Kubernetes' CEL IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go):
// ip(s), isIP(s), family, isUnspecified, isLoopback, isLinkLocalMulticast, isLinkLocalUnicast,
// isGlobalUnicast, string(ip); cidr(s), isCIDR(s), containsIP, containsCIDR, ip, masked,
// prefixLength, string(cidr). As kube: no zones, no IPv4-mapped IPv6 addresses.
import type { Environment } from '@marcbachmann/cel-js';
import { celError } from './values.js';

/** Go's netip.ParseAddr into bytes (4 or 16), or an error text. */
export function parseAddr(s: string): number[] | string {
  const fail = (why: string) => `ParseAddr(${JSON.stringify(s)}): ${why}`;
  if (s === '') return fail('unable to parse IP');
  if (s.includes('%')) return 'IP address with zone value is not allowed';
  if (!s.includes(':')) {
    const parts = s.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return fail('unable to parse IP');
    return parts.map(Number);
  }
  const halves = s.split('::');
  if (halves.length > 2) return fail('unable to parse IP');
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const words: number[] = [];
  const fill = (list: string[]): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i];
      if (i === list.length - 1 && g.includes('.')) {
        const v4 = parseAddr(g);
        if (typeof v4 === 'string') return false;
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) words.push(parseInt(g, 16));
      else return false;
    }
    return true;
  };
  const head: number[] = [];
  if (!fill(groups(halves[0]))) return fail('unable to parse IP');
  head.push(...words.splice(0));
  if (halves.length === 2 && !fill(groups(halves[1]))) return fail('unable to parse IP');
  const tail = words.splice(0);
  const total = head.length + tail.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return fail('unable to parse IP');
  const all = [...head, ...Array(8 - total).fill(0), ...tail];
  const bytes = all.flatMap((w) => [w >> 8, w & 255]);
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return 'IPv4-mapped IPv6 address is not allowed';
  return bytes;
}

/** RFC 5952 text of an address. */
export function formatAddr(b: number[]): string {
  if (b.length === 4) return b.join('.');
  const w = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

export class CelIP {
  readonly celType = 'net.IP';
  constructor(readonly bytes: number[]) {}
  equals(o: unknown): boolean {
    return o instanceof CelIP && o.bytes.length === this.bytes.length && o.bytes.every((x, i) => x === this.bytes[i]);
  }
  toString(): string {
    return formatAddr(this.bytes);
  }
}

export class CelCIDR {
  readonly celType = 'net.CIDR';
  constructor(
    readonly ip: CelIP,
    readonly bits: number,
  ) {}
  equals(o: unknown): boolean {
    return o instanceof CelCIDR && o.bits === this.bits && o.ip.equals(this.ip);
  }
  masked(): CelCIDR {
    const b = this.ip.bytes.map((x, i) => {
      const keep = Math.max(0, Math.min(8, this.bits - i * 8));
      return x & ((0xff << (8 - keep)) & 0xff);
    });
    return new CelCIDR(new CelIP(b), this.bits);
  }
  contains(ip: CelIP): boolean {
    if (ip.bytes.length !== this.ip.bytes.length) return false;
    return new CelCIDR(ip, this.bits).masked().ip.equals(this.masked().ip);
  }
  toString(): string {
    return `${this.ip}/${this.bits}`;
  }
}

function ip(s: string): CelIP {
  const r = parseAddr(s);
  if (typeof r === 'string') throw celError(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ${r}`);
  return new CelIP(r);
}

function parseCidr(s: string): CelCIDR | string {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return `netip.ParsePrefix(${JSON.stringify(s)}): no '/'`;
  const addr = parseAddr(s.slice(0, slash));
  if (typeof addr === 'string') return `netip.ParsePrefix(${JSON.stringify(s)}): ${addr}`;
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(bits) || Number(bits) > addr.length * 8) return `netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bits)}`;
  return new CelCIDR(new CelIP(addr), Number(bits));
}

function cidr(s: string): CelCIDR {
  const r = parseCidr(s);
  if (typeof r === 'string') throw celError(`network address ${JSON.stringify(s)} parse error during conversion from string: ${r}`);
  return r;
}

const isV4 = (a: CelIP) => a.bytes.length === 4;

export function registerIpLibrary(env: Environment): void {
  env.registerType('net.IP', CelIP);
  env.registerType('net.CIDR', CelCIDR);
  env.registerFunction('ip(string): net.IP', ip);
  env.registerFunction('isIP(string): bool', (s: string) => typeof parseAddr(s) !== 'string');
  env.registerFunction('string(net.IP): string', (a: CelIP) => a.toString());
  env.registerFunction('net.IP.family(): int', (a: CelIP) => (isV4(a) ? 4n : 6n));
  env.registerFunction('net.IP.isUnspecified(): bool', (a: CelIP) => a.bytes.every((b) => b === 0));
  env.registerFunction('net.IP.isLoopback(): bool', (a: CelIP) => (isV4(a) ? a.bytes[0] === 127 : a.bytes.slice(0, 15).every((b) => b === 0) && a.bytes[15] === 1));
  env.registerFunction('net.IP.isLinkLocalMulticast(): bool', (a: CelIP) =>
    isV4(a) ? a.bytes[0] === 224 && a.bytes[1] === 0 && a.bytes[2] === 0 : a.bytes[0] === 0xff && (a.bytes[1] & 0x0f) === 0x02,
  );
  env.registerFunction('net.IP.isLinkLocalUnicast(): bool', (a: CelIP) => (isV4(a) ? a.bytes[0] === 169 && a.bytes[1] === 254 : a.bytes[0] === 0xfe && (a.bytes[1] & 0xc0) === 0x80));
  env.registerFunction('net.IP.isGlobalUnicast(): bool', (a: CelIP) => {
    const b = a.bytes;
    if (isV4(a)) {
      if (b[0] === 0 || b[0] === 127 || b[0] >= 224 || (b[0] === 169 && b[1] === 254)) return false;
      return !(b[0] === 255 && b[1] === 255 && b[2] === 255 && b[3] === 255);
    }
    if (b.every((x) => x === 0) || (b.slice(0, 15).every((x) => x === 0) && b[15] === 1)) return false;
    if (b[0] === 0xff || (b[0] === 0xfe && (b[1] & 0xc0) === 0x80)) return false;
    return true;
  });
  env.registerOperator('net.IP == net.IP', (a: CelIP, b: CelIP) => a.equals(b));

  env.registerFunction('cidr(string): net.CIDR', cidr);
  env.registerFunction('isCIDR(string): bool', (s: string) => typeof parseCidr(s) !== 'string');
  env.registerFunction('string(net.CIDR): string', (c: CelCIDR) => c.toString());
  env.registerFunction('net.CIDR.containsIP(net.IP): bool', (c: CelCIDR, a: CelIP) => c.contains(a));
  env.registerFunction('net.CIDR.containsIP(string): bool', (c: CelCIDR, s: string) => c.contains(ip(s)));
  env.registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', (c: CelCIDR, o: CelCIDR) => o.bits >= c.bits && c.contains(o.ip));
  env.registerFunction('net.CIDR.containsCIDR(string): bool', (c: CelCIDR, s: string) => {
    const o = cidr(s);
    return o.bits >= c.bits && c.contains(o.ip);
  });
  env.registerFunction('net.CIDR.ip(): net.IP', (c: CelCIDR) => c.ip);
  env.registerFunction('net.CIDR.masked(): net.CIDR', (c: CelCIDR) => c.masked());
  env.registerFunction('net.CIDR.prefixLength(): int', (c: CelCIDR) => BigInt(c.bits));
  env.registerOperator('net.CIDR == net.CIDR', (a: CelCIDR, b: CelCIDR) => a.equals(b));
}
