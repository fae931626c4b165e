// Bundles the CLI into dist/keelson.js with esbuild, so `bin/keelson` starts without compiling
// TypeScript at run time. Dependencies are bundled too (resolving and loading some 40 packages'
// files one by one took about a third of a second at every start); those with native addons or
// files read at run time stay external. CommonJS dependencies get a `require` from createRequire.
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
  external: [
    'lmdb', // native addon
    '@lydell/node-pty', // native addon (optional dependency)
    'pino', // worker-thread transports load files by path
    'etcd3', // its .proto files are read at run time
    '@grpc/proto-loader',
  ],
  banner: { js: "import { createRequire as keelsonCreateRequire } from 'node:module'; const require = keelsonCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { KEELSON_VERSION: JSON.stringify(pkg.version) },
});
// OpenAPI component schemas of the built-in kinds (served by src/apiserver/openapi), beside the bundle.
writeSchemas('dist/openapi-schemas.json');
