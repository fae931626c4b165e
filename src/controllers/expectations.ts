// Controller expectations (Kubernetes' ControllerExpectations): after a controller asks for N
// creates or deletes, it waits to *see* them through its informer before acting on the same
// object again, so a slow watch never makes it create pods twice. Expectations expire after a
// timeout in case an event is lost.
interface Expectation {
  add: number;
  del: number;
  at: number;
  deleting: Set<string>;
}

export class Expectations {
  private readonly map = new Map<string, Expectation>();
  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}
  expectCreations(key: string, n: number): void {
    this.map.set(key, { add: n, del: 0, at: this.now(), deleting: new Set() });
  }
  expectDeletions(key: string, podKeys: string[]): void {
    this.map.set(key, { add: 0, del: podKeys.length, at: this.now(), deleting: new Set(podKeys) });
  }
  creationObserved(key: string): void {
    const e = this.map.get(key);
    if (e) e.add--;
  }
  /** A create that failed (never to be observed). */
  creationFailed(key: string): void {
    this.creationObserved(key);
  }
  deletionObserved(key: string, podKey: string): void {
    const e = this.map.get(key);
    if (e && e.deleting.delete(podKey)) e.del--;
  }
  satisfied(key: string): boolean {
    const e = this.map.get(key);
    if (!e) return true;
    return (e.add <= 0 && e.del <= 0) || this.now() - e.at > this.ttlMs;
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}
