// VolumeBinding's assume cache (kube's AssumeCache): a volume given a claimRef, or a claim given
// the selected-node annotation, in Reserve is seen that way by the next cycles before the write
// reaches the API. An assumed object stays until the informer's copy changes (the write, or
// someone else's, landed) or Unreserve restores it.

export class AssumeCache {
  private readonly assumed = new Map<string, { obj: any; baseResourceVersion: string | undefined }>();

  constructor(private readonly live: (key: string) => any | undefined) {}

  get(key: string): any | undefined {
    const live = this.live(key);
    const a = this.assumed.get(key);
    if (!a) return live;
    if (!live || live.metadata?.resourceVersion !== a.baseResourceVersion) {
      this.assumed.delete(key);
      return live;
    }
    return a.obj;
  }

  /** `obj` is the new version of the live object it was derived from. */
  assume(key: string, obj: any, baseResourceVersion: string | undefined): void {
    this.assumed.set(key, { obj, baseResourceVersion });
  }

  restore(key: string): void {
    this.assumed.delete(key);
  }

  get size(): number {
    return this.assumed.size;
  }
}
