// The CLI as a user runs it: bin/keelson from the repo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));

test('keelson version prints the Kubernetes API level', () => {
  const out = execFileSync(bin, ['version', '-o', 'json'], { encoding: 'utf8' });
  const v = JSON.parse(out);
  assert.match(v.kubernetes, /^v1\.32\./);
  assert.equal(v.etcd, '3.4.23');
});

test('keelson --help lists its commands', () => {
  const out = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  assert.match(out, /version/);
});
