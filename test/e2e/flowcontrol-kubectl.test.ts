// flowcontrol.apiserver.k8s.io/v1 FlowSchemas and PriorityLevelConfigurations through the real
// kubectl: kube's bootstrap objects are there (mandatory ones put back when changed, suggested
// ones with the autoupdate annotation), the tables print kube's columns, user objects go through
// create/get/list/update/delete, and bad specs get kube's validation messages.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../helpers/apiserver.js';
import { until } from '../helpers/until.js';
import { kubectlExpect } from '../helpers/kubectl.js';

const level = (name: string, limited: string) => `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: {name: ${name}}
spec:
  type: Limited
  limited: ${limited}
`;

const schema = (name: string, precedence: number, pl = 'keelson-level') => `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: ${name}}
spec:
  priorityLevelConfiguration: {name: ${pl}}
  matchingPrecedence: ${precedence}
  distinguisherMethod: {type: ByUser}
  rules:
  - subjects: [{kind: User, user: {name: keelson-user}}]
    resourceRules: [{verbs: [get, list], apiGroups: [""], resources: [pods], namespaces: ["*"]}]
`;

describe('API Priority and Fairness objects with kubectl', () => {
  let api: TestApiServer;
  const { ok, fails } = kubectlExpect(() => api.kubectl);

  before(async () => {
    api = await startTestApiServer();
    // Written right after start-up (not gated by /readyz).
    await until('the bootstrap objects', async () => (await api.kubectl(['get', 'flowschema', 'catch-all'])).code === 0, 20_000);
  });
  after(async () => {
    await api?.stop();
  });

  it('serves kube\'s bootstrap configuration with kube\'s tables', async () => {
    assert.match(await ok(['api-versions']), /^flowcontrol\.apiserver\.k8s\.io\/v1$/m);
    const pls = await ok(['get', 'prioritylevelconfigurations']);
    assert.match(pls, /^NAME\s+TYPE\s+NOMINALCONCURRENCYSHARES\s+QUEUES\s+HANDSIZE\s+QUEUELENGTHLIMIT\s+AGE$/m);
    assert.match(pls, /^catch-all\s+Limited\s+5\s+<none>\s+<none>\s+<none>\s+\S+$/m);
    assert.match(pls, /^exempt\s+Exempt\s+<none>\s+<none>\s+<none>\s+<none>\s+\S+$/m);
    assert.match(pls, /^workload-low\s+Limited\s+100\s+128\s+6\s+50\s+\S+$/m);
    for (const n of ['system', 'node-high', 'leader-election', 'workload-high', 'global-default']) assert.match(pls, new RegExp(`^${n}\\s+Limited`, 'm'));
    const fss = await ok(['get', 'flowschemas']);
    assert.match(fss, /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL$/m);
    assert.match(fss, /^exempt\s+exempt\s+1\s+<none>\s+\S+\s+False$/m);
    assert.match(fss, /^probes\s+exempt\s+2\s+<none>\s+\S+\s+False$/m);
    assert.match(fss, /^catch-all\s+catch-all\s+10000\s+ByUser\s+\S+\s+False$/m);
    assert.match(fss, /^kube-scheduler\s+workload-high\s+800\s+ByNamespace/m);
    const fs = JSON.parse(await ok(['get', 'flowschema', 'service-accounts', '-o', 'json']));
    assert.equal(fs.metadata.annotations['apf.kubernetes.io/autoupdate-spec'], 'true');
    assert.deepEqual(fs.spec.rules[0].subjects, [{ kind: 'Group', group: { name: 'system:serviceaccounts' } }]);
  });

  it('keeps the mandatory objects fixed', async () => {
    let out = await fails(['patch', 'flowschema', 'catch-all', '--type=merge', '-p', '{"spec":{"matchingPrecedence":9000}}']);
    assert.match(out, /spec: Invalid value: .*spec of 'catch-all' must equal the fixed value/);
    out = await fails(['patch', 'prioritylevelconfiguration', 'exempt', '--type=merge', '-p', '{"spec":{"type":"Limited","limited":{"limitResponse":{"type":"Reject"}}}}']);
    assert.match(out, /spec.type: Invalid value: "Limited": type must be 'Exempt' if and only if name is 'exempt'/);
    // spec.exempt of the exempt level is the one part a user may change.
    await ok(['patch', 'prioritylevelconfiguration', 'exempt', '--type=merge', '-p', '{"spec":{"exempt":{"lendablePercent":10}}}']);
    assert.equal(await ok(['get', 'prioritylevelconfiguration', 'exempt', '-o', 'jsonpath={.spec.exempt.lendablePercent}']), '10');
  });

  it('creates, lists, updates and deletes user objects, with defaults and status', async () => {
    await ok(['create', '-f', '-'], level('keelson-level', '{limitResponse: {type: Queue, queuing: {}}}'));
    const pl = JSON.parse(await ok(['get', 'prioritylevelconfiguration', 'keelson-level', '-o', 'json']));
    assert.deepEqual(pl.spec.limited, { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } });
    await ok(['create', '-f', '-'], schema('keelson-schema', 500));
    assert.match(await ok(['get', 'flowschema', 'keelson-schema']), /^keelson-schema\s+keelson-level\s+500\s+ByUser\s+\S+\s+(\?|False)$/m);
    await ok(['patch', 'flowschema', 'keelson-schema', '--type=merge', '-p', '{"spec":{"matchingPrecedence":600}}']);
    const fs = JSON.parse(await ok(['get', 'flowschema', 'keelson-schema', '-o', 'json']));
    assert.equal(fs.spec.matchingPrecedence, 600);
    assert.equal(fs.metadata.generation, 2);
    await ok(['delete', 'flowschema', 'keelson-schema']);
    await ok(['delete', 'prioritylevelconfiguration', 'keelson-level']);
    assert.match(await fails(['get', 'flowschema', 'keelson-schema']), /flowschemas.flowcontrol.apiserver.k8s.io "keelson-schema" not found/);
  });

  it('refuses bad specs with kube\'s messages', async () => {
    let out = await fails(['create', '-f', '-'], schema('keelson-bad', 1));
    assert.match(out, /spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1/);
    out = await fails(['create', '-f', '-'], schema('keelson-bad', 10001));
    assert.match(out, /spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000/);
    out = await fails(['create', '-f', '-'], level('keelson-bad', '{limitResponse: {type: Queue, queuing: {queues: 600, handSize: 8, queueLengthLimit: 10}}}'));
    assert.match(out, /spec.limited.limitResponse.queuing.queues: Invalid value: 600: must not be greater than 512/);
    out = await fails(['create', '-f', '-'], level('keelson-bad', '{limitResponse: {type: Queue, queuing: {queues: 4, handSize: 8}}}'));
    assert.match(out, /spec.limited.limitResponse.queuing.handSize: Invalid value: 8: should not be greater than queues \(4\)/);
    out = await fails(['create', '-f', '-'], level('keelson-bad', '{lendablePercent: 101, limitResponse: {type: Reject}}'));
    assert.match(out, /spec.limited.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive/);
  });
});
