// The node's IPv4 addresses that accept NodePorts (kube-proxy --nodeport-addresses): the local
// interface addresses inside the given CIDRs. No CIDRs = every address (undefined: the
// nftables mode then matches `fib daddr type local`, which follows address changes itself).
import os from 'node:os';

function toInt(ip: string): number {
  return ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
}

export function inCIDR(ip: string, cidr: string): boolean {
  const [net, bitsS] = cidr.split('/');
  const bits = Number(bitsS ?? 32);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(net) & mask);
}

export function validateCIDR(cidr: string, flag: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new Error(`${flag}: invalid CIDR address: ${cidr} (IPv4 only)`);
  return cidr.trim();
}

/** Local IPv4 addresses inside `cidrs`; undefined when no CIDRs are given. */
export function nodePortIPs(cidrs: string[] | undefined, interfaces = os.networkInterfaces()): string[] | undefined {
  if (!cidrs?.length) return undefined;
  const out: string[] = [];
  for (const list of Object.values(interfaces))
    for (const a of list ?? []) if (a.family === 'IPv4' && cidrs.some((c) => inCIDR(a.address, c))) out.push(a.address);
  return [...new Set(out)].sort();
}
