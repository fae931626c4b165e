import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NodeDecider, nodeIdentity } from './authorizer.js';
import { NodeGraph } from './graph.js';
import type { RequestAttributes } from '../authz/types.js';

const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const req = (over: Partial<RequestAttributes>): RequestAttributes => ({ user: n1, verb: 'get', resourceRequest: true, apiGroup: '', namespace: 'default', ...over });

function graph(): NodeGraph {
  const g = new NodeGraph();
  g.setPod({
    metadata: { namespace: 'default', name: 'web' },
    spec: {
      nodeName: 'n1',
      serviceAccountName: 'web-sa',
      volumes: [{ name: 'cfg', configMap: { name: 'web-config' } }, { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } }, { name: 'p', projected: { sources: [{ secret: { name: 'proj' } }] } }],
      containers: [{ name: 'c', env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'pw' } } }] }],
    },
  });
  g.setPod({ metadata: { namespace: 'default', name: 'other' }, spec: { nodeName: 'n2', containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'n2-secret' } }] }] } });
  g.claimHandler.upsert({ metadata: { namespace: 'default', name: 'web-data' }, spec: { volumeName: 'pv-1' } }, undefined);
  return g;
}

describe('Node authorizer', () => {
  const d = new NodeDecider(graph());
  const decision = (over: Partial<RequestAttributes>) => d.authorize(req(over)).decision;

  it('identifies kubelets by name and group only', () => {
    assert.equal(nodeIdentity(n1), 'n1');
    assert.equal(nodeIdentity({ name: 'system:node:n1', groups: [] }), undefined);
    assert.equal(decision({ user: { name: 'jane', groups: [] }, resource: 'secrets', name: 'web-secret' }), 'noopinion');
  });
  it("reads only its pods' secrets, configmaps, claims, volumes", () => {
    assert.equal(decision({ resource: 'secrets', name: 'web-secret' }), 'allow');
    assert.equal(decision({ resource: 'secrets', name: 'proj' }), 'allow');
    assert.equal(decision({ resource: 'configmaps', name: 'web-config' }), 'allow');
    assert.equal(decision({ resource: 'persistentvolumeclaims', name: 'web-data' }), 'allow');
    assert.equal(decision({ resource: 'persistentvolumes', name: 'pv-1', namespace: undefined }), 'allow');
    const other = d.authorize(req({ resource: 'secrets', name: 'n2-secret' }));
    assert.deepEqual(other, { decision: 'noopinion', reason: "no relationship found between node 'n1' and this object" });
    assert.equal(decision({ resource: 'secrets', verb: 'list' }), 'noopinion');
    assert.equal(decision({ resource: 'secrets', name: 'web-secret', verb: 'update' }), 'noopinion');
    assert.equal(decision({ resource: 'persistentvolumes', name: 'pv-2', namespace: undefined }), 'noopinion');
  });
  it('tokens only for its pods\u2019 service accounts; its own lease and node only', () => {
    assert.equal(decision({ verb: 'create', resource: 'serviceaccounts', name: 'web-sa', subresource: 'token' }), 'allow');
    assert.equal(decision({ verb: 'create', resource: 'serviceaccounts', name: 'default', subresource: 'token' }), 'noopinion');
    assert.equal(decision({ verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n1' }), 'allow');
    assert.equal(decision({ verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n2' }), 'noopinion');
    assert.equal(decision({ verb: 'create', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'default' }), 'noopinion');
    assert.equal(decision({ verb: 'patch', resource: 'nodes', subresource: 'status', name: 'n1', namespace: undefined }), 'allow');
    assert.equal(decision({ verb: 'patch', resource: 'nodes', subresource: 'status', name: 'n2', namespace: undefined }), 'noopinion');
    assert.equal(decision({ verb: 'update', resource: 'pods', subresource: 'status', name: 'web' }), 'allow');
    assert.equal(decision({ verb: 'update', resource: 'pods', subresource: 'status', name: 'other' }), 'noopinion');
  });
  it('static node rules for the rest; nothing beyond them', () => {
    assert.equal(decision({ verb: 'list', resource: 'pods' }), 'allow');
    assert.equal(decision({ verb: 'create', resource: 'events' }), 'allow');
    assert.equal(decision({ verb: 'watch', resource: 'services', namespace: undefined }), 'allow');
    assert.equal(decision({ verb: 'create', apiGroup: 'apps', resource: 'deployments' }), 'noopinion');
    assert.equal(decision({ verb: 'delete', resource: 'namespaces', name: 'default' }), 'noopinion');
  });
  it('a removed pod takes its access with it', () => {
    const g = graph();
    const dd = new NodeDecider(g);
    g.podHandler.remove({ metadata: { namespace: 'default', name: 'web' } });
    assert.equal(dd.authorize(req({ resource: 'secrets', name: 'web-secret' })).decision, 'noopinion');
  });
});
