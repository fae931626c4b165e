// The process runtime's stand-ins for well-known images: names resolved through registry, tag and
// digest; the nginx stand-in serves its welcome page on port 80 and logs the request in nginx's
// combined format (run in a network namespace of its own, so port 80 is ours: root only).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { imageBaseName, knownImageCommand } from './known-images.js';

const isRoot = process.getuid?.() === 0;

describe('process runtime: known images', () => {
  it('reduces image references to their base name', () => {
    assert.equal(imageBaseName('nginx'), 'nginx');
    assert.equal(imageBaseName('docker.io/library/nginx:1.27-alpine'), 'nginx');
    assert.equal(imageBaseName('registry.k8s.io/pause:3.10'), 'pause');
    assert.equal(imageBaseName('localhost:5000/busybox@sha256:abcd'), 'busybox');
  });

  it('knows nginx, httpd, pause and the shell images, and nothing else', () => {
    assert.equal(knownImageCommand('nginx:1.27', '/usr/bin/node')?.[0], '/usr/bin/node');
    assert.equal(knownImageCommand('httpd')?.[1], '-e');
    assert.deepEqual(knownImageCommand('registry.k8s.io/pause:3.10'), ['sleep', 'infinity']);
    assert.deepEqual(knownImageCommand('busybox'), ['sh']);
    assert.equal(knownImageCommand('example.com/app'), undefined);
  });

  it('the nginx stand-in answers on port 80 with the welcome page and logs the request', { skip: !isRoot && 'needs root (a network namespace of its own)' }, () => {
    const [node, flag, program] = knownImageCommand('nginx')!;
    const client = 'st=1; for i in $(seq 1 100); do if curl -s -A keelson-test http://127.0.0.1/; then st=0; break; fi; sleep 0.05; done';
    // A fresh network namespace (gone with its processes): loopback up, the server, one request,
    // then SIGTERM, which the stand-in exits on (the shell waits for it).
    const r = spawnSync('unshare', ['--net', 'sh', '-c', `ip link set lo up; "$0" "$1" "$2" & pid=$!; ${client}; kill $pid; wait $pid; echo "server exit $?"; exit $st`, node, flag, program], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /<h1>Welcome to nginx!<\/h1>/);
    assert.match(r.stdout, /server exit 0/);
    assert.match(r.stdout, /127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "keelson-test"/);
  });
});
