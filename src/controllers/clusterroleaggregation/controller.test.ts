// The clusterrole-aggregation controller against a real apiserver (in process): the bootstrap
// view/edit/admin roles get their rules from the system:aggregate-to-* roles (edit includes
// view's, admin edit's), a user's aggregated role follows the labels of the roles it selects,
// and the rules read as kube orders them (selected roles by name, duplicates once).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../../test/helpers/apiserver.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { ControllerManager } from '../manager.js';
import { until } from '../../../test/helpers/until.js';
import { aggregatedRules } from './controller.js';

const path = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
const has = (rules: any[] | undefined, verb: string, resource: string) => (rules ?? []).some((r) => r.verbs?.includes(verb) && r.resources?.includes(resource));

describe('clusterrole-aggregation controller', () => {
  let api: TestApiServer;
  let client: RestClient;
  const ac = new AbortController();

  before(async () => {
    api = await startTestApiServer({ inProcess: true });
    client = new RestClient(loadKubeconfig(api.kubeconfig));
    const cm = new ControllerManager({ client, controllers: ['clusterrole-aggregation'], leaderElect: false, options: {} });
    void cm.start(ac.signal);
    await cm.ready;
  });
  after(async () => {
    ac.abort();
    client?.close();
    await api?.stop();
  });

  it('fills view, edit and admin from the aggregate-to roles, edit over view, admin over edit', async () => {
    const view = await until('view to get rules', async () => {
      const r = await client.get(`${path}/view`);
      return r.rules?.length ? r : undefined;
    });
    assert.ok(has(view.rules, 'list', 'pods'));
    assert.ok(!has(view.rules, 'create', 'pods'));
    const edit = await until('edit to include view', async () => {
      const r = await client.get(`${path}/edit`);
      return has(r.rules, 'create', 'pods') && has(r.rules, 'list', 'pods') ? r : undefined;
    });
    assert.ok(!has(edit.rules, 'create', 'rolebindings'));
    await until('admin to include edit and its own', async () => {
      const r = await client.get(`${path}/admin`);
      return has(r.rules, 'create', 'pods') && has(r.rules, 'create', 'rolebindings') ? r : undefined;
    });
  });

  it("a user's aggregated role follows the labels of the roles it selects", async () => {
    await client.post(path, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'keelson-monitoring' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'keelson.test/aggregate-to-monitoring': 'true' } }] }, rules: [] });
    const label = { 'keelson.test/aggregate-to-monitoring': 'true' };
    await client.post(path, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'keelson-b-metrics', labels: label }, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get'] }] });
    await client.post(path, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'keelson-a-pods', labels: label }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { verbs: ['get'], apiGroups: [''], resources: ['services'] }] });
    const full = await until('both roles aggregated', async () => {
      const r = await client.get(`${path}/keelson-monitoring`);
      return r.rules?.length === 2 ? r : undefined;
    });
    assert.deepEqual(full.rules.map((r: any) => r.resources[0]), ['pods', 'services'], 'by role name, the duplicate rule once');
    const pods = await client.get(`${path}/keelson-a-pods`);
    await client.put(`${path}/keelson-a-pods`, { ...pods, metadata: { ...pods.metadata, labels: {} } });
    await until('the unlabelled role to drop out', async () => {
      const r = await client.get(`${path}/keelson-monitoring`);
      return r.rules?.length === 1 && r.rules[0].resources[0] === 'services' ? r : undefined;
    });
  });

  it('aggregatedRules ignores the role itself and keeps first occurrences', () => {
    const self = { metadata: { name: 'agg', labels: { x: 'y' } }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] }, rules: [{ verbs: ['*'] }] };
    const other = { metadata: { name: 'b', labels: { x: 'y' } }, rules: [{ verbs: ['get'], resources: ['a'] }] };
    assert.deepEqual(aggregatedRules(self, [self, other]), [{ verbs: ['get'], resources: ['a'] }]);
  });
});
