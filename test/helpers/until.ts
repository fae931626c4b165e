// Poll until `fn` gives a truthy value (returned), or fail after `timeoutMs` naming what was
// awaited, with the tail of `logs()` when given (the server's output helps to see why).
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, logs?: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${logs ? `\n${logs().slice(-3000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
