// Bundles the CLI into dist/keelson.js with esbuild (dependencies stay external), so `bin/keelson`
// starts in well under a second without compiling TypeScript at run time.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { writeSchemas } from './gen-openapi.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/keelson.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { KEELSON_VERSION: JSON.stringify(pkg.version) },
});
// OpenAPI component schemas of the built-in kinds (served by src/apiserver/openapi), beside the bundle.
writeSchemas('dist/openapi-schemas.json');
