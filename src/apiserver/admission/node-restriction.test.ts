// NodeRestriction admission: what a kubelet identity may write, with kube's messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { forbiddenLabels, nodeRestriction } from './node-restriction.js';
import { ApiError } from '../status.js';

let f: Fixture;
const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
let n1uid = '';
before(async () => {
  f = await fixture();
  await f.create('', 'namespaces', { metadata: { name: 'default' } });
  n1uid = (await f.create('', 'nodes', { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } })).metadata!.uid;
  await f.create('', 'pods', { metadata: { name: 'on-n1', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } });
  await f.create('', 'pods', { metadata: { name: 'on-n2', namespace: 'default' }, spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'x' }] } });
});
after(() => f.close());

const deny = (msg: string) => (e: ApiError) => {
  assert.equal(e.code, 403);
  assert.equal(e.message, msg);
  return true;
};
const plugin = () => [nodeRestriction(f.resources)];

test('a node edits only its own Node, its labels within the kubelet set, not its taints', async () => {
  await assert.rejects(admit(plugin(), attrs('UPDATE', { resource: 'nodes', name: 'n2' }, { metadata: { name: 'n2' } }, { user: n1 })), deny('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"'));
  await assert.rejects(
    admit(plugin(), attrs('CREATE', { resource: 'nodes' }, { metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' } } }, { user: n1 })),
    deny('nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-role.kubernetes.io/control-plane'),
  );
  const old = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } };
  await assert.rejects(
    admit(plugin(), attrs('UPDATE', { resource: 'nodes', name: 'n1' }, { metadata: { name: 'n1', labels: {} }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }, { user: n1, oldObject: old })),
    deny('nodes "n1" is forbidden: node "n1" is not allowed to modify taints'),
  );
  await admit(plugin(), attrs('UPDATE', { resource: 'nodes', name: 'n1' }, { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'team.example.com/x': 'y', 'node.kubernetes.io/pool': 'a' } } }, { user: n1, oldObject: old }));
  assert.deepEqual(forbiddenLabels({ 'example.node-restriction.kubernetes.io/a': '1', 'kubernetes.io/os': 'linux', 'foo.k8s.io/z': '1' }, {}), ['example.node-restriction.kubernetes.io/a', 'foo.k8s.io/z']);
});

test('pods: only mirror pods bound to itself; status and delete only of its own pods', async () => {
  await assert.rejects(
    admit(plugin(), attrs('CREATE', { resource: 'pods', namespace: 'default' }, { metadata: { name: 'p' }, spec: { nodeName: 'n1' } }, { user: n1 })),
    deny('pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods'),
  );
  const mirror = (spec: object) => ({
    metadata: { name: 'm', annotations: { 'kubernetes.io/config.mirror': 'x' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: n1uid, controller: true }] },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }], ...spec },
  });
  await admit(plugin(), attrs('CREATE', { resource: 'pods', namespace: 'default' }, mirror({}), { user: n1 }));
  await assert.rejects(
    admit(plugin(), attrs('CREATE', { resource: 'pods', namespace: 'default' }, mirror({ volumes: [{ name: 's', secret: { secretName: 's' } }] }), { user: n1 })),
    deny('pods "m" is forbidden: node "n1" can not create pods that reference secrets'),
  );
  await assert.rejects(admit(plugin(), attrs('UPDATE', { resource: 'pods', namespace: 'default', name: 'on-n1' }, { metadata: { name: 'on-n1' } }, { user: n1 })), deny('pods "on-n1" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods'));
  await admit(plugin(), attrs('UPDATE', { resource: 'pods', namespace: 'default', name: 'on-n1', subresource: 'status' }, { metadata: { name: 'on-n1' }, status: {} }, { user: n1 }));
  await assert.rejects(
    admit(plugin(), attrs('UPDATE', { resource: 'pods', namespace: 'default', name: 'on-n2', subresource: 'status' }, { metadata: { name: 'on-n2' }, status: {} }, { user: n1 })),
    deny('pods "on-n2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself'),
  );
  await assert.rejects(admit(plugin(), attrs('DELETE', { resource: 'pods', namespace: 'default', name: 'on-n2' }, undefined, { user: n1 })), deny('pods "on-n2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself'));
  await admit(plugin(), attrs('DELETE', { resource: 'pods', namespace: 'default', name: 'on-n1' }, undefined, { user: n1 }));
});

test('leases: only its own, in kube-node-lease; other users are not restricted', async () => {
  await assert.rejects(
    admit(plugin(), attrs('UPDATE', { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n2' }, { metadata: { name: 'n2' } }, { user: n1 })),
    deny('leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node'),
  );
  await admit(plugin(), attrs('UPDATE', { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n1' }, { metadata: { name: 'n1' } }, { user: n1 }));
  await admit(plugin(), attrs('UPDATE', { resource: 'nodes', name: 'n2' }, { metadata: { name: 'n2' } }));
});
