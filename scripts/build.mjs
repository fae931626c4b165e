// Bundles the CLI into dist/keelson.js with esbuild (dependencies stay external), so `bin/keelson`
// starts in well under a second without compiling TypeScript at run time.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

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
