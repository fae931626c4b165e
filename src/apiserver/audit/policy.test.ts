// Audit policy evaluation as kube-apiserver's policy checker does it: first matching rule wins,
// users/userGroups/verbs, resources with wildcards and resourceNames, namespaces,
// nonResourceURLs, omitStages merged from policy and rule; invalid policies refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditPolicy, AuditPolicyError } from './policy.js';
import type { RequestInfo } from '../request-info.js';

const head = 'apiVersion: audit.k8s.io/v1\nkind: Policy\n';
const alice = { name: 'alice', groups: ['devs', 'system:authenticated'] };
const bob = { name: 'bob', groups: ['system:authenticated'] };

function res(verb: string, resource: string, o: Partial<RequestInfo> = {}): RequestInfo {
  return { isResourceRequest: true, path: `/api/v1/${resource}`, verb, apiPrefix: 'api', group: '', version: 'v1', namespace: 'default', resource, subresource: '', name: '', parts: [], ...o };
}
const nonRes = (path: string): RequestInfo => ({ isResourceRequest: false, path, verb: 'get', apiPrefix: '', group: '', version: '', namespace: '', resource: '', subresource: '', name: '', parts: [] });

test('rules match in order on users, groups, verbs, resources, names, namespaces and URLs', () => {
  const p = AuditPolicy.parse(`${head}omitStages: [RequestReceived]
rules:
- level: None
  users: [bob]
  verbs: [get]
- level: RequestResponse
  userGroups: [devs]
  resources: [{group: "", resources: [configmaps], resourceNames: [special]}]
  omitStages: [ResponseStarted]
- level: Request
  resources: [{group: apps, resources: ["deployments/*"]}, {group: "", resources: ["*/log"]}]
- level: Metadata
  namespaces: [kube-system]
- level: Metadata
  resources: [{group: ""}]
  verbs: [delete]
- level: Request
  nonResourceURLs: [/healthz*, /version]
`);
  const lvl = (u: typeof alice, i: RequestInfo) => p.decide(u, i).level;
  assert.equal(lvl(bob, res('get', 'secrets')), 'None');
  assert.equal(lvl(alice, res('get', 'configmaps', { name: 'special' })), 'RequestResponse');
  assert.deepEqual([...p.decide(alice, res('get', 'configmaps', { name: 'special' })).omitStages].sort(), ['RequestReceived', 'ResponseStarted']);
  assert.equal(lvl(alice, res('get', 'configmaps', { name: 'other' })), 'None');
  assert.equal(lvl(bob, res('list', 'configmaps', { name: 'special' })), 'None');
  assert.equal(lvl(alice, res('patch', 'deployments', { group: 'apps', subresource: 'scale' })), 'Request');
  // "res/*" also covers the resource itself (as kube's checker).
  assert.equal(lvl(alice, res('patch', 'deployments', { group: 'apps' })), 'Request');
  assert.equal(lvl(alice, res('patch', 'statefulsets', { group: 'apps' })), 'None');
  assert.equal(lvl(alice, res('get', 'pods', { subresource: 'log' })), 'Request');
  assert.equal(lvl(alice, res('list', 'pods', { namespace: 'kube-system' })), 'Metadata');
  assert.equal(lvl(alice, res('delete', 'pods')), 'Metadata');
  assert.equal(lvl(alice, res('delete', 'statefulsets', { group: 'apps' })), 'None');
  assert.equal(lvl(alice, nonRes('/healthz/etcd')), 'Request');
  assert.equal(lvl(alice, nonRes('/version')), 'Request');
  assert.equal(lvl(alice, nonRes('/metrics')), 'None');
  // Resource rules never match non-resource requests and vice versa.
  assert.equal(AuditPolicy.parse(`${head}rules:\n- level: Metadata\n  resources: [{group: ""}]\n`).decide(alice, nonRes('/api')).level, 'None');
  assert.equal(AuditPolicy.parse(`${head}rules:\n- level: Metadata\n  nonResourceURLs: ["*"]\n`).decide(alice, res('get', 'pods')).level, 'None');
  assert.equal(AuditPolicy.parse(`${head}rules:\n- level: Metadata\n`).decide(alice, res('get', 'pods')).level, 'Metadata');
});

test('omitManagedFields: the rule overrides the policy', () => {
  const p = AuditPolicy.parse(`${head}omitManagedFields: true\nrules:\n- level: Request\n  verbs: [create]\n  omitManagedFields: false\n- level: Request\n`);
  assert.equal(p.decide(alice, res('create', 'pods')).omitManagedFields, false);
  assert.equal(p.decide(alice, res('update', 'pods')).omitManagedFields, true);
});

test('invalid policies are refused with the field path', () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => AuditPolicy.parse(text), (e: unknown) => e instanceof AuditPolicyError && re.test(e.message));
  bad('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\n', /expected apiVersion "audit.k8s.io\/v1" kind "Policy"/);
  bad(`${head}rules:\n- level: Everything\n`, /rules\[0\]\.level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"/);
  bad(`${head}rules:\n- verbs: [get]\n`, /rules\[0\]\.level: Required value/);
  bad(`${head}rules:\n- level: Metadata\n  nonResourceURLs: [/x]\n  resources: [{group: ""}]\n`, /rules cannot apply to both regular resources and non-resource URLs/);
  bad(`${head}rules:\n- level: Metadata\n  nonResourceURLs: [healthz]\n`, /must begin with a '\/' character/);
  bad(`${head}rules:\n- level: Metadata\n  omitStages: [Done]\n`, /rules\[0\]\.omitStages\[0\]: Unsupported value: "Done"/);
});
