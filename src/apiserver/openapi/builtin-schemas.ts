// The component schemas of the built-in kinds, generated from `kubernetes-types` by
// scripts/gen-openapi.mjs into dist/openapi-schemas.json (by `npm run build`; dist/ is not
// committed). Loaded lazily, once, on the first OpenAPI request, so an apiserver that is never
// asked for its documents does not hold them.
//
// Where the file is looked for: beside the bundle (dist/keelson.cjs -> dist/openapi-schemas.json)
// or, running from src/ through tsx, at <repo>/dist/openapi-schemas.json. From src/ the generator
// is run when the file is missing or older than the generator (a fresh checkout running tests
// without a build); the bundle never generates (typescript is a dev dependency).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyMergeInfo, applyPatchMeta } from './patch-meta.js';
import { refTarget } from './schema-ref.js';

export { refTarget };
import type { GroupVersionKind, Schema } from './types.js';

export const SCHEMAS_FILE = 'openapi-schemas.json';

let cache: Record<string, Schema> | undefined;
let gvkIndex: Map<string, string> | undefined;

const fromSource = import.meta.url.endsWith('.ts');

function locate(): string {
  const candidates = [new URL(`./${SCHEMAS_FILE}`, import.meta.url), new URL(`../../../dist/${SCHEMAS_FILE}`, import.meta.url)].map((u) => fileURLToPath(u));
  if (fromSource) {
    const out = candidates[1];
    const gen = fileURLToPath(new URL('../../../scripts/gen-openapi.mjs', import.meta.url));
    const stale = !existsSync(out) || (existsSync(gen) && statSync(gen).mtimeMs > statSync(out).mtimeMs);
    if (stale && existsSync(gen)) {
      const r = spawnSync(process.execPath, [gen, out], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`generating OpenAPI schemas failed: ${r.stderr || r.error?.message}`);
    }
    return out;
  }
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`${SCHEMAS_FILE} not found beside ${fileURLToPath(import.meta.url)}: run \`npm run build\``);
}

/**
 * All built-in component schemas by name (`io.k8s.api.core.v1.Pod`, ...), with patch metadata.
 * The returned objects are shared: callers must not mutate them.
 */
export function builtinSchemas(): Record<string, Schema> {
  if (!cache) {
    const s = JSON.parse(readFileSync(locate(), 'utf8')) as Record<string, Schema>;
    applyPatchMeta(s);
    applyMergeInfo(s);
    cache = s;
  }
  return cache;
}

const gvkKey = (g: GroupVersionKind) => `${g.group}/${g.version}/${g.kind}`;

/** The component schema name of a built-in kind, e.g. ('apps','v1','Deployment') -> 'io.k8s.api.apps.v1.Deployment'. */
export function builtinSchemaName(group: string, version: string, kind: string): string | undefined {
  if (!gvkIndex) {
    gvkIndex = new Map();
    for (const [name, s] of Object.entries(builtinSchemas())) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) if (!gvkIndex.has(gvkKey(g))) gvkIndex.set(gvkKey(g), name);
    }
  }
  return gvkIndex.get(gvkKey({ group, version, kind }));
}

/** The names of every schema reachable from `roots` through `$ref`s (roots included). */
export function refClosure(roots: Iterable<string>, schemas: Record<string, Schema>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') stack.push(refTarget(x));
        else visit(x);
      }
    }
  };
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n) || !schemas[n]) continue;
    seen.add(n);
    visit(schemas[n]);
  }
  return seen;
}
