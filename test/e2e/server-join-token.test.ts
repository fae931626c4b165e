// `keelson server` keeps a join token in its data dir, as k3s does: <data-dir>/token (0600) made
// on the first start and reused after, backed by a never-expiring bootstrap-token Secret, and the
// whole `keelson agent` join command printed at start.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/etcd.js';
import { kubectlWith } from '../helpers/kubectl.js';
import { until } from '../helpers/until.js';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));
const JOIN = /keelson agent --server (https:\/\/\S+) --token ([a-z0-9]{6})\.([a-z0-9]{16}) --ca-cert-hash (sha256:[0-9a-f]{64})/;

describe('keelson server join token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-join-token-'));
  let proc: ChildProcess | undefined;

  const start = async (): Promise<RegExpExecArray> => {
    let output = '';
    const port = await freePort();
    proc = spawn(bin, ['server', '--data-dir', dir, '--secure-port', String(port), '--disable-agent', '--disable', 'coredns'], { env: { ...process.env, KEELSON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    await until('the join command', async () => JOIN.test(output), 30_000).catch(() => assert.fail(output));
    const m = JOIN.exec(output)!;
    assert.equal(new URL(m[1]).port, String(port), output);
    return m;
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  };
  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the join command with the token kept in <data-dir>/token and its Secret, reused after a restart', async () => {
    const m = await start();
    const token = `${m[2]}.${m[3]}`;
    const file = join(dir, 'token');
    assert.equal(readFileSync(file, 'utf8').trim(), token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const kubectl = kubectlWith({ kubeconfig: join(dir, 'admin.kubeconfig'), cacheDir: join(dir, 'kcache') });
    const secret = await kubectl(['get', 'secret', '-n', 'kube-system', `bootstrap-token-${m[2]}`, '-o', 'json']);
    assert.equal(secret.code, 0, secret.out);
    const s = JSON.parse(secret.stdout) as { type: string; data: Record<string, string> };
    const d = (k: string) => (s.data[k] ? Buffer.from(s.data[k], 'base64').toString('utf8') : undefined);
    assert.equal(s.type, 'bootstrap.kubernetes.io/token');
    assert.equal(d('token-id'), m[2]);
    assert.equal(d('token-secret'), m[3]);
    assert.equal(d('expiration'), undefined, 'the join token never expires');
    assert.equal(d('usage-bootstrap-authentication'), 'true');
    assert.equal(d('usage-bootstrap-signing'), 'true');
    // `keelson token list` shows it without expiry.
    const list = await new Promise<string>((resolve) => {
      let out = '';
      const p = spawn(bin, ['token', 'list', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout.on('data', (x) => (out += x));
      p.stderr.on('data', (x) => (out += x));
      p.on('exit', () => resolve(out));
    });
    assert.match(list, new RegExp(`${token.replace('.', '\\.')}\\s+<forever>\\s+<never>`), list);
    await stop();
    // A second start reuses the token (and its Secret), with the same CA pin.
    const again = await start();
    assert.equal(`${again[2]}.${again[3]}`, token);
    assert.equal(again[4], m[4]);
    await stop();
  });
});
