// Bundles the CLI into dist/keelson.cjs with esbuild, so `bin/keelson` starts without compiling
// TypeScript at run time. Dependencies are bundled too (resolving and loading some 40 packages'
// files one by one took about a third of a second at every start); those with native addons or
// files read at run time stay external and are loaded with require().
//
// CommonJS rather than ESM: bin/keelson compiles it through vm.Script with a V8 code cache
// (bin/code-cache.mjs), which Node 20 offers for scripts only; compiling the 4.5 MB bundle was
// the largest single cost of every command. import.meta.url becomes the bundle's file URL.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { writeSchemas } from './gen-openapi.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/keelson.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: [
    'lmdb', // native addon
    '@lydell/node-pty', // native addon (optional dependency)
    'pino', // worker-thread transports load files by path
    'etcd3', // its .proto files are read at run time
    '@grpc/proto-loader',
  ],
  // "use strict" first: the sources are ES modules, strict throughout.
  banner: { js: "'use strict';\nvar keelsonImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { KEELSON_VERSION: JSON.stringify(pkg.version), 'import.meta.url': 'keelsonImportMetaUrl' },
});
// OpenAPI component schemas of the built-in kinds (served by src/apiserver/openapi), beside the bundle.
writeSchemas('dist/openapi-schemas.json');
