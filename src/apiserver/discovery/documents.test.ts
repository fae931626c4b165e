import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resources } from '../resources.js';
import { aggregated, apiGroupList, apiResourceList } from './documents.js';
import type { Store } from '../../storage/store.js';
import type { Strategy } from '../registry/strategy.js';

const pods: Strategy = { info: { group: '', version: 'v1', kind: 'Pod', listKind: 'PodList', resource: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'] }, status: {} };
const hpa2: Strategy = { info: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', listKind: 'HorizontalPodAutoscalerList', resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', namespaced: true } };
const hpa1: Strategy = { info: { ...hpa2.info, version: 'v1' } };
const deploy: Strategy = { info: { group: 'apps', version: 'v1', kind: 'Deployment', listKind: 'DeploymentList', resource: 'deployments', singular: 'deployment', namespaced: true }, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas' } };

test('discovery documents list resources, subresources and preferred versions', () => {
  const r = new Resources({} as Store, { watchCache: false });
  for (const s of [pods, hpa1, hpa2, deploy]) r.add(s);
  const v1 = apiResourceList(r, '', 'v1')!;
  const names = v1.resources.map((x) => x.name);
  assert.ok(names.includes('pods') && names.includes('pods/status') && names.includes('pods/eviction') && names.includes('pods/binding'));
  const p = v1.resources.find((x) => x.name === 'pods')!;
  assert.deepEqual([p.kind, p.namespaced, p.shortNames, p.categories], ['Pod', true, ['po'], ['all']]);
  const groups = apiGroupList(r);
  const as = groups.groups.find((g) => g.name === 'autoscaling')!;
  assert.deepEqual(as.preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
  assert.deepEqual(as.versions.map((v) => v.version), ['v2', 'v1']);
  const agg = aggregated(r, false, 'v2');
  const apps = agg.items.find((i) => i.metadata.name === 'apps')!;
  const d = apps.versions[0].resources[0] as any;
  assert.deepEqual(d.subresources, [{ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] }]);
  assert.equal(d.scope, 'Namespaced');
  assert.equal(aggregated(r, true, 'v2beta1').apiVersion, 'apidiscovery.k8s.io/v2beta1');
});
