import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeTar } from './tar.js';
import { buildImage, ociArchive, refTag, sha256, MEDIA_MANIFEST } from './oci-build.js';
import { busyboxImage, findBusybox, pauseImage } from './builtin-images.js';
import { parseRef } from './registry-push.js';

const dir = mkdtempSync(join(tmpdir(), 'keelson-oci-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tarList = (file: string) => spawnSync('tar', ['-tvf', file], { encoding: 'utf8' }).stdout.trim().split('\n');

describe('tar writer', () => {
  it('writes files, directories and symlinks that GNU tar reads back with modes and contents', () => {
    const long = `${'d'.repeat(90)}/${'f'.repeat(60)}`;
    const tar = writeTar([
      { path: 'bin', type: 'dir' },
      { path: 'bin/tool', type: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
      { path: 'bin/alias', type: 'symlink', target: 'tool' },
      { path: 'tmp', type: 'dir', mode: 0o1777 },
      { path: long, type: 'file', data: Buffer.alloc(1000, 1) },
    ]);
    assert.equal(tar.length % 512, 0);
    const f = join(dir, 't.tar');
    writeFileSync(f, tar);
    const lines = tarList(f);
    assert.match(lines[0], /^drwxr-xr-x root\/root\s+0 1970-01-01 00:00 bin\/$/);
    assert.match(lines[1], /^-rwxr-xr-x root\/root\s+18 .* bin\/tool$/);
    assert.match(lines[2], /^lrwxrwxrwx .* bin\/alias -> tool$/);
    assert.match(lines[3], /^drwxrwxrwt .* tmp\/$/);
    assert.ok(lines[4].endsWith(long), lines[4]);
    const x = spawnSync('tar', ['-xOf', f, 'bin/tool'], { encoding: 'utf8' });
    assert.equal(x.stdout, '#!/bin/sh\necho hi\n');
  });

  it('refuses a symlink target it cannot store', () => {
    assert.throws(() => writeTar([{ path: 'a', type: 'symlink', target: 'x'.repeat(101) }]), /target of at most 100 bytes/);
  });
});

describe('OCI image builder', () => {
  const img = buildImage('localhost/t/app:2', [{ path: 'hello', type: 'file', data: Buffer.from('world') }], { Cmd: ['/hello'], Env: ['A=1'] });

  it('links manifest, config and layer by digest; diff_id is the uncompressed layer', () => {
    const m = JSON.parse(img.manifest.data.toString());
    assert.equal(m.mediaType, MEDIA_MANIFEST);
    assert.equal(m.config.digest, sha256(img.config.data));
    assert.equal(m.config.size, img.config.data.length);
    assert.equal(m.layers[0].digest, sha256(img.layers[0].data));
    const cfg = JSON.parse(img.config.data.toString());
    assert.deepEqual(cfg.rootfs.diff_ids, [sha256(gunzipSync(img.layers[0].data))]);
    assert.deepEqual(cfg.config, { Cmd: ['/hello'], Env: ['A=1'] });
    assert.equal(cfg.os, 'linux');
  });

  it('is reproducible: the same input gives the same manifest digest', () => {
    const again = buildImage('localhost/t/app:2', [{ path: 'hello', type: 'file', data: Buffer.from('world') }], { Cmd: ['/hello'], Env: ['A=1'] });
    assert.equal(again.manifest.digest, img.manifest.digest);
  });

  it('writes an OCI layout archive: oci-layout, index.json naming the image, every blob', () => {
    const f = join(dir, 'img.tar');
    writeFileSync(f, ociArchive([img]));
    const names = tarList(f).map((l) => l.split(' ').pop());
    assert.ok(names.includes('oci-layout') && names.includes('index.json'));
    for (const b of [img.manifest, img.config, img.layers[0]]) assert.ok(names.includes(`blobs/sha256/${b.digest.slice(7)}`), b.digest);
    const index = JSON.parse(spawnSync('tar', ['-xOf', f, 'index.json'], { encoding: 'utf8' }).stdout);
    assert.equal(index.manifests[0].digest, img.manifest.digest);
    assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'localhost/t/app:2');
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], '2');
    const blob = spawnSync('tar', ['-xOf', f, `blobs/sha256/${img.layers[0].digest.slice(7)}`]).stdout;
    assert.equal(sha256(blob), img.layers[0].digest);
  });

  it('reads tags and registry references', () => {
    assert.equal(refTag('localhost/keelson/pause:1'), '1');
    assert.equal(refTag('127.0.0.1:5000/x'), 'latest');
    assert.deepEqual(parseRef('127.0.0.1:5000/keelson/busybox:1'), { registry: '127.0.0.1:5000', repository: 'keelson/busybox', tag: '1' });
    assert.deepEqual(parseRef('localhost/a'), { registry: 'localhost', repository: 'a', tag: 'latest' });
    assert.throws(() => parseRef('busybox:1'), /names no registry host/);
    assert.throws(() => parseRef('127.0.0.1:5000/Bad:1'), /invalid repository name "Bad"/);
  });
});

describe('built-in images', { skip: 'error' in findBusybox() ? `skipped: ${(findBusybox() as { error: string }).error}` : false }, () => {
  it('busybox has the static busybox and its applets; pause sleeps forever', () => {
    const bb = busyboxImage();
    const layer = join(dir, 'bb-layer.tar');
    writeFileSync(layer, gunzipSync(bb.layers[0].data));
    const names = tarList(layer).map((l) => l.replace(/ -> .*/, '').split(' ').pop());
    for (const n of ['bin/busybox', 'bin/sh', 'bin/httpd', 'bin/hostname', 'etc/passwd', 'tmp/']) assert.ok(names.includes(n), n);
    const busybox = spawnSync('tar', ['-xOf', layer, 'bin/busybox'], { maxBuffer: 64 << 20 }).stdout;
    assert.deepEqual(busybox, readFileSync((findBusybox() as { path: string }).path));
    const pauseImg = pauseImage();
    const pause = JSON.parse(pauseImg.config.data.toString());
    assert.deepEqual(pause.config.Entrypoint, ['/bin/sleep', '2147483647']);
    // Its layer is a plain tar (no gzip at a node's start): the diff id is the layer's digest.
    const manifest = JSON.parse(pauseImg.manifest.data.toString());
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar');
    assert.deepEqual(pause.rootfs.diff_ids, [pauseImg.layers[0].digest]);
    const pauseLayer = join(dir, 'pause-layer.tar');
    writeFileSync(pauseLayer, pauseImg.layers[0].data);
    assert.deepEqual(tarList(pauseLayer).map((l) => l.replace(/ -> .*/, '').split(' ').pop()).filter((n) => n?.startsWith('bin/')), ['bin/', 'bin/busybox', 'bin/sleep']);
  });
});
