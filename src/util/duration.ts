// Go-style durations as Kubernetes flags take them: "300ms", "15s", "1m30s", "2h", "1.5h".
const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds for a Go duration string (a bare number is seconds). Throws on bad input. */
export function parseDuration(s: string): number {
  const str = s.trim();
  if (/^\d+(\.\d+)?$/.test(str)) return Number(str) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of str.matchAll(re)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== str.replace(/^[+]/, '').length) throw new Error(`invalid duration "${s}"`);
  return total;
}
