// /healthz, /livez, /readyz with per-check detail (`?verbose`), as kube-apiserver: `ok` or
// `[+]ping ok\n[-]etcd failed: reason withheld\n...healthz check failed`.
import type { ServerResponse } from 'node:http';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export async function serveHealth(res: ServerResponse, kind: string, checks: HealthCheck[], query: URLSearchParams, subpath: string): Promise<void> {
  const exclude = new Set(query.getAll('exclude'));
  let selected = checks.filter((c) => !exclude.has(c.name));
  if (subpath) {
    selected = checks.filter((c) => c.name === subpath);
    if (!selected.length) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
      return;
    }
  }
  const results = await Promise.all(
    selected.map(async (c) => {
      try {
        await c.check();
        return { name: c.name, ok: true, err: '' };
      } catch (e) {
        return { name: c.name, ok: false, err: (e as Error).message };
      }
    }),
  );
  const failed = results.filter((r) => !r.ok);
  const verbose = query.has('verbose') || failed.length > 0;
  let body: string;
  if (!verbose) body = 'ok';
  else {
    body = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`)).join('\n') + '\n';
    for (const e of exclude) body += `warn: some health checks cannot be excluded: no matches for "${e}"\n`.slice(0, 0);
    body += failed.length ? `${kind} check failed` : `${kind} check passed`;
    body += '\n';
  }
  res.writeHead(failed.length ? 500 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}
