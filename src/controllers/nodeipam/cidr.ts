// IPv4 CIDR arithmetic for pod CIDR allocation: split a cluster CIDR into node-sized subnets.
export function parseCidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const ip = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ip & mask) >>> 0, bits };
}

export const ipString = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** The i-th /nodeBits subnet of the cluster CIDR, or undefined when out of range. */
export function subnet(cluster: { base: number; bits: number }, nodeBits: number, i: number): string | undefined {
  if (nodeBits < cluster.bits) return undefined;
  const count = 2 ** (nodeBits - cluster.bits);
  if (i < 0 || i >= count) return undefined;
  return `${ipString((cluster.base + i * 2 ** (32 - nodeBits)) >>> 0)}/${nodeBits}`;
}

export function subnetIndex(cluster: { base: number; bits: number }, nodeBits: number, cidr: string): number {
  const c = parseCidr(cidr);
  if (c.bits !== nodeBits) return -1;
  const i = (c.base - cluster.base) / 2 ** (32 - nodeBits);
  return Number.isInteger(i) && i >= 0 && i < 2 ** (nodeBits - cluster.bits) ? i : -1;
}
