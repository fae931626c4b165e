// The schemas live inside TypeScript modules, so an esbuild bundle (as scripts/build.mjs makes
// dist/keelson.cjs) decodes without any .proto file on disk. Bundle decode.ts alone
// (here as esm, node20) into a temp dir outside the repo and decode a body with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { encodeKubernetesProtobuf } from './encode.js';

test('an esbuild bundle of the decoder works with no .proto files around', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-'));
  try {
    const outfile = join(dir, 'decode.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./decode.ts', import.meta.url))],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      logLevel: 'silent',
      // protobufjs is CommonJS; give the ESM bundle a require() for its optional dependencies.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const bodyFile = join(dir, 'body.bin');
    await writeFile(bodyFile, encodeKubernetesProtobuf('v1', 'ConfigMap', { metadata: { name: 'cm', creationTimestamp: {} }, data: { a: 'b' } }));
    const runner = join(dir, 'run.mjs');
    await writeFile(runner, [
      "import { readFileSync } from 'node:fs';",
      "import { decodeKubernetesProtobuf } from './decode.mjs';",
      'process.stdout.write(JSON.stringify(decodeKubernetesProtobuf(readFileSync(process.argv[2]))));',
    ].join('\n'));
    const out = execFileSync(process.execPath, [runner, bodyFile], { cwd: dir, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' }, data: { a: 'b' } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
