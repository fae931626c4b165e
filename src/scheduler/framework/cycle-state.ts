// Per-cycle scratch space shared by a profile's plugins (PreFilter computes, Filter reads).
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Set by the framework: whether to skip a plugin's Filter/Score because PreX returned Skip. */
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}
