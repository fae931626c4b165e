// NodePort allocation from --service-node-port-range (default 30000-32767), as kube's
// portallocator, with Kubernetes' error texts.
import { AllocationError } from './ip-allocator.js';

export class PortAllocator {
  readonly min: number;
  readonly max: number;
  private used = new Set<number>();

  constructor(range: string) {
    const m = range.match(/^(\d+)-(\d+)$/) ?? range.match(/^(\d+)\+(\d+)$/);
    if (!m) throw new Error(`invalid service node port range ${JSON.stringify(range)} (expected e.g. 30000-32767)`);
    this.min = Number(m[1]);
    this.max = range.includes('+') ? this.min + Number(m[2]) : Number(m[2]);
    if (this.min < 1 || this.max > 65535 || this.min > this.max) throw new Error(`invalid service node port range ${JSON.stringify(range)}`);
  }

  get range(): string {
    return `${this.min}-${this.max}`;
  }

  has(p: number): boolean {
    return this.used.has(p);
  }

  allocate(p: number): void {
    if (p < this.min || p > this.max) throw new AllocationError(`provided port is not in the valid range. The range of valid ports is ${this.range}`, 'range');
    if (this.used.has(p)) throw new AllocationError('provided port is already allocated', 'allocated');
    this.used.add(p);
  }

  allocateNext(): number {
    const size = this.max - this.min + 1;
    if (this.used.size >= size) throw new AllocationError('range is full', 'full');
    for (let i = 0; i < 64; i++) {
      const p = this.min + Math.floor(Math.random() * size);
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    }
    for (let p = this.min; p <= this.max; p++)
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    throw new AllocationError('range is full', 'full');
  }

  release(p: number): void {
    this.used.delete(p);
  }

  snapshot(): Buffer {
    const size = this.max - this.min + 1;
    const b = Buffer.alloc(Math.ceil(size / 8));
    for (const p of this.used) b[(p - this.min) >> 3] |= 1 << ((p - this.min) & 7);
    return b;
  }
}
