// The audit log flags of keelson apiserver (the real CLI) with the real kubectl:
// --audit-log-format=legacy writes kube's one-line text events; --audit-log-maxsize/maxbackup
// rotate the file and keep that many backups; bad values stop the apiserver with kube's words.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApiServer } from '../helpers/apiserver.js';
import { freePort } from '../helpers/etcd.js';
import { until } from '../helpers/until.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'keelson-audit-flags-'));
  dirs.push(d);
  return d;
};

test('--audit-log-format=legacy: one text line per event', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'policy.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n  resources: [{group: "", resources: [configmaps]}]\n');
  const log = join(dir, 'audit.log');
  const api = await startTestApiServer({ args: ['--audit-policy-file', join(dir, 'policy.yaml'), '--audit-log-path', log, '--audit-log-format', 'legacy'], inProcess: false });
  try {
    const r = await api.kubectl(['create', 'configmap', 'keelson-legacy', '-n', 'default']);
    assert.equal(r.code, 0, r.out);
    const line = await until('the legacy line', async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').find((l) => l.includes('method="create"')));
    assert.match(
      line,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z AUDIT: id="[0-9a-f-]{36}" stage="ResponseComplete" ip="127\.0\.0\.1" method="create" user="kubernetes-admin" groups="\\"system:masters\\",\\"system:authenticated\\"" as="<self>" asgroups="<lookup>" user-agent="kubectl\/[^"]*" namespace="default" uri="\/api\/v1\/namespaces\/default\/configmaps\?[^"]*" response="201"$/,
    );
  } finally {
    await api.stop();
  }
});

test('--audit-log-maxsize/--audit-log-maxbackup rotate the log and keep that many backups', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'policy.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: RequestResponse\n  resources: [{group: "", resources: [configmaps]}]\n');
  const log = join(dir, 'audit.log');
  const api = await startTestApiServer({ args: ['--audit-policy-file', join(dir, 'policy.yaml'), '--audit-log-path', log, '--audit-log-maxsize', '1', '--audit-log-maxbackup', '1'], inProcess: false });
  try {
    // Each create logs the 400 kB value twice (request and response object): about 800 kB an event.
    const value = 'v'.repeat(400_000);
    for (let i = 0; i < 4; i++) {
      const r = await api.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `keelson-big-${i}`, namespace: 'default' }, data: { v: value } }) });
      assert.equal(r.code, 0, r.out);
    }
    const names = await until('one backup next to the live log', async () => {
      const n = (await readdir(dir)).filter((f) => f.startsWith('audit'));
      const current = await readFile(log, 'utf8').catch(() => '');
      return n.length === 2 && current.includes('keelson-big-3') ? n.sort() : undefined;
    });
    assert.match(names[0], /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/);
    assert.equal(names[1], 'audit.log');
    for (const f of names) {
      const text = await readFile(join(dir, f), 'utf8');
      assert.ok(text.length <= 1024 * 1024, `${f} stays within 1 MB`);
      for (const l of text.split('\n').filter(Boolean)) assert.equal(JSON.parse(l).kind, 'Event', 'whole JSON lines in every file');
    }
  } finally {
    await api.stop();
  }
});

test('bad values stop the apiserver with a clear message', async () => {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'admission.yaml'),
    'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  configuration:\n    apiVersion: pod-security.admission.config.k8s.io/v1\n    kind: PodSecurityConfiguration\n    defaults: {enforce: strict}\n',
  );
  const run = async (args: string[]) => {
    const child = spawn(join(repo, 'bin', 'keelson'), ['apiserver', '--data-dir', join(dir, 'data'), '--secure-port', String(await freePort()), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearTimeout(timer);
    return { code, out };
  };
  const format = await run(['--audit-log-format', 'xml']);
  assert.notEqual(format.code, 0);
  assert.match(format.out, /invalid audit log format xml, allowed formats are "json,legacy"/);
  const psa = await run(['--admission-control-config-file', join(dir, 'admission.yaml')]);
  assert.notEqual(psa.code, 0);
  assert.match(psa.out, /couldn't init admission plugin "PodSecurity": defaults\.enforce: Invalid value: "strict": must be one of privileged, baseline, restricted/);
});
