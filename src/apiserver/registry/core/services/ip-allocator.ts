// ClusterIP allocation from --service-cluster-ip-range (IPv4), as kube's ipallocator: a bitmap
// over the range without the network and broadcast addresses; the first address is the
// `kubernetes` Service's. Errors carry Kubernetes' texts.

export class AllocationError extends Error {
  constructor(
    message: string,
    readonly kind: 'allocated' | 'range' | 'full',
  ) {
    super(message);
  }
}

export function parseIPv4(s: string): number | undefined {
  const m = s.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (!m) return undefined;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return undefined;
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

export const formatIPv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

export class IPAllocator {
  readonly base: number;
  readonly size: number;
  private used = new Set<number>();
  readonly cidr: string;

  constructor(cidr: string) {
    const [ip, bitsStr] = cidr.split('/');
    const bits = Number(bitsStr);
    const addr = parseIPv4(ip);
    if (addr === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`invalid service cluster IP range ${JSON.stringify(cidr)} (IPv4 CIDR /8 to /30 expected)`);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const net = (addr & mask) >>> 0;
    this.cidr = `${formatIPv4(net)}/${bits}`;
    // Usable: network+1 .. broadcast-1
    this.base = net + 1;
    this.size = Math.pow(2, 32 - bits) - 2;
  }

  /** The first usable address (the `kubernetes` Service's ClusterIP). */
  get first(): string {
    return formatIPv4(this.base);
  }

  contains(ip: string): boolean {
    const n = parseIPv4(ip);
    return n !== undefined && n >= this.base && n < this.base + this.size;
  }

  has(ip: string): boolean {
    const n = parseIPv4(ip);
    return n !== undefined && this.used.has(n - this.base);
  }

  /** Allocate a specific address. */
  allocate(ip: string): void {
    const n = parseIPv4(ip);
    if (n === undefined || n < this.base || n >= this.base + this.size)
      throw new AllocationError(`failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`, 'range');
    if (this.used.has(n - this.base)) throw new AllocationError(`failed to allocate IP ${ip}: provided IP is already allocated`, 'allocated');
    this.used.add(n - this.base);
  }

  /** Allocate any free address (random, preferring the upper part of the range as kube does for dynamic IPs). */
  allocateNext(): string {
    if (this.used.size >= this.size) throw new AllocationError('failed to allocate a serviceIP: range is full', 'full');
    const reserved = Math.min(Math.max(16, Math.floor(this.size / 16)), 256);
    const lo = this.size > reserved * 2 ? reserved : 0;
    for (let i = 0; i < 64; i++) {
      const off = lo + Math.floor(Math.random() * (this.size - lo));
      if (!this.used.has(off)) {
        this.used.add(off);
        return formatIPv4(this.base + off);
      }
    }
    for (let off = 0; off < this.size; off++)
      if (!this.used.has(off)) {
        this.used.add(off);
        return formatIPv4(this.base + off);
      }
    throw new AllocationError('failed to allocate a serviceIP: range is full', 'full');
  }

  release(ip: string): void {
    const n = parseIPv4(ip);
    if (n !== undefined) this.used.delete(n - this.base);
  }

  get count(): number {
    return this.used.size;
  }

  /** The allocation bitmap (bit i = base+i), as kube's RangeAllocation.data. */
  snapshot(): Buffer {
    const b = Buffer.alloc(Math.ceil(this.size / 8));
    for (const off of this.used) b[off >> 3] |= 1 << (off & 7);
    return b;
  }
}
