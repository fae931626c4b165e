// EncryptionConfiguration parsing: which resources a configuration covers (exact names, group
// wildcards, "*.*") and kube-apiserver's validation messages for bad files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptionConfigError, loadEncryptionConfig, parseEncryptionConfig } from './config.js';

const key = Buffer.alloc(32, 7).toString('base64');
const head = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n';

test('resources: exact names, "*.<group>", "*." and "*.*" select the transformer; the first entry wins', () => {
  const c = parseEncryptionConfig(`${head}resources:
- resources: [secrets, deployments.apps]
  providers: [{aesgcm: {keys: [{name: a, secret: ${key}}]}}]
- resources: ['*.batch']
  providers: [{secretbox: {keys: [{name: b, secret: ${key}}]}}]
- resources: ['*.']
  providers: [{aescbc: {keys: [{name: c, secret: ${key}}]}}]
- resources: ['*.*']
  providers: [{identity: {}}]
`);
  const prefixOf = (g: string, r: string) => c.transformerFor(g, r)?.toStorage(Buffer.from('x'), Buffer.from('k')).subarray(0, 24).toString();
  assert.match(prefixOf('', 'secrets')!, /^k8s:enc:aesgcm:v1:a:/);
  assert.match(prefixOf('apps', 'deployments')!, /^k8s:enc:aesgcm:v1:a:/);
  assert.match(prefixOf('batch', 'jobs')!, /^k8s:enc:secretbox:v1:b/);
  assert.match(prefixOf('', 'configmaps')!, /^k8s:enc:aescbc:v1:c:/);
  assert.equal(prefixOf('apps', 'statefulsets'), 'x');
  const onlySecrets = parseEncryptionConfig(`${head}resources:\n- resources: [secrets]\n  providers: [{identity: {}}]\n`);
  assert.equal(onlySecrets.transformerFor('', 'configmaps'), undefined);
});

function refused(text: string, message: RegExp): void {
  assert.throws(() => parseEncryptionConfig(text), (e: unknown) => e instanceof EncryptionConfigError && message.test(e.message));
}

test('bad configurations are refused with the field path and kube-apiserver\'s message', () => {
  refused('apiVersion: v1\nkind: ConfigMap\n', /expected apiVersion "apiserver.config.k8s.io\/v1" kind "EncryptionConfiguration"/);
  refused(`${head}resources: []\n`, /resources: Required value/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: []\n`, /resources\[0\]\.providers: Required value/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: [{aesgcm: {keys: []}}]\n`, /resources\[0\]\.providers\[0\]\.aesgcm\.keys: Required value: at least one keys is required/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: [{aesgcm: {keys: [{name: k, secret: c2hvcnQ=}]}}]\n`, /aesgcm\.keys\[0\]\.secret: Invalid value: "REDACTED": secret is not of the expected length, got 5, expected one of \[16 24 32\]/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: [{secretbox: {keys: [{name: k, secret: '${Buffer.alloc(16).toString('base64')}'}]}}]\n`, /expected one of \[32\]/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: [{aesgcm: {keys: [{name: k, secret: 'not base64!'}]}}]\n`, /secrets must be base64 encoded/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: [{aesgcm: {keys: [{secret: ${key}}]}}]\n`, /keys\[0\]\.name: Required value: name is a mandatory field for a key/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: [{identity: {}, aesgcm: {keys: [{name: k, secret: ${key}}]}}]\n`, /more than one provider specified in a single element, should split into different list elements/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: [{kms: {name: x, endpoint: 'unix:///kms.sock'}}]\n`, /resources\[0\]\.providers\[0\]\.kms: Unsupported value: KMS providers are not supported/);
  refused(`${head}resources:\n- resources: [Secrets]\n  providers: [{identity: {}}]\n`, /resources\[0\]\.resources\[0\]: Invalid value: "Secrets"/);
  refused(`${head}resources:\n- resources: [secrets]\n  providers: [{identity: {}}]\n- resources: [secrets]\n  providers: [{identity: {}}]\n`, /resources\[1\]\.resources\[0\]: Duplicate value: "secrets"/);
});

test('loadEncryptionConfig names the file in its error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-enc-'));
  try {
    const f = join(dir, 'enc.yaml');
    await writeFile(f, `${head}resources: []\n`);
    assert.throws(() => loadEncryptionConfig(f), /error while parsing encryption provider configuration file ".*enc\.yaml": resources: Required value/);
    assert.throws(() => loadEncryptionConfig(join(dir, 'missing.yaml')), /error reading encryption provider configuration file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a secret longer than 32 bytes of another length is used through its SHA-256 digest (kube refuses it)', () => {
  const long = Buffer.from("secret is secure, or is it?, I don't know.");
  const c = parseEncryptionConfig(`${head}resources:\n- resources: [secrets]\n  providers: [{aesgcm: {keys: [{name: key1, secret: ${long.toString('base64')}}]}}]\n`);
  const sealed = c.transformerFor('', 'secrets')!.toStorage(Buffer.from('x'), Buffer.from('k'));
  assert.equal(sealed.subarray(0, 23).toString(), 'k8s:enc:aesgcm:v1:key1:');
  assert.equal(c.transformerFor('', 'secrets')!.fromStorage(sealed, Buffer.from('k')).data.toString(), 'x');
});
