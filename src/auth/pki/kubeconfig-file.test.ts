import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mergeKubeconfig } from './kubeconfig-file.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';

test('merging into an existing kubeconfig keeps other clusters and makes keelson current', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-kc-'));
  try {
    const path = join(dir, 'config');
    writeFileSync(
      path,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: "https://prod:6443"}\n- name: keelson\n  cluster: {server: "https://old:1"}\nusers:\n- name: me\n  user: {token: abc}\ncontexts:\n- name: prod\n  context: {cluster: prod, user: me}\ncurrent-context: prod\n',
    );
    mergeKubeconfig(path, { server: 'https://127.0.0.1:6443', clusterName: 'keelson', userName: 'keelson-admin', contextName: 'keelson', token: 't0k' });
    const doc = parse(readFileSync(path, 'utf8'));
    assert.deepEqual(doc.clusters.map((c: { name: string }) => c.name), ['prod', 'keelson']);
    assert.equal(doc.clusters[1].cluster.server, 'https://127.0.0.1:6443');
    assert.equal(doc['current-context'], 'keelson');
    assert.equal(loadKubeconfig(path).token, 't0k');
    assert.equal(loadKubeconfig(path, 'prod').server, 'https://prod:6443');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    // A missing file is created.
    mergeKubeconfig(join(dir, 'new', 'config'), { server: 'https://127.0.0.1:1' });
    assert.equal(loadKubeconfig(join(dir, 'new', 'config')).server, 'https://127.0.0.1:1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
