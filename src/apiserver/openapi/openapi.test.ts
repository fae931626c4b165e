import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { builtinSchemas, builtinSchemaName, decodeV2Protobuf, OpenApiService, openApiResponse, type ResourceSource } from './index.js';
import type { ResourceInfo } from '../registry/strategy.js';

const info = (group: string, version: string, kind: string, resource: string, namespaced = true): ResourceInfo => ({
  group,
  version,
  kind,
  listKind: `${kind}List`,
  resource,
  singular: kind.toLowerCase(),
  namespaced,
});
const pods = info('', 'v1', 'Pod', 'pods');
const services = info('', 'v1', 'Service', 'services');
const nodes = info('', 'v1', 'Node', 'nodes', false);
const deployments = info('apps', 'v1', 'Deployment', 'deployments');
const resources: ResourceSource[] = [
  { info: pods, status: {} },
  services,
  nodes,
  { info: deployments, status: {}, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas' } },
];

const crontab = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', description: 'The cron spec.', properties: { cronSpec: { type: 'string' }, replicas: { type: 'integer' } } } } } },
      },
    ],
  },
};

test('generated schemas: Pod, Deployment, Service with descriptions, refs, required, GVK', () => {
  const s = builtinSchemas();
  const pod = s['io.k8s.api.core.v1.Pod'];
  assert.match(pod.description!, /^Pod is a collection of containers/);
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.deepEqual(pod.properties!.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
  assert.match(pod.properties!.spec.description!, /Specification of the desired behavior of the pod/);
  const spec = s['io.k8s.api.core.v1.PodSpec'];
  assert.deepEqual(spec.required, ['containers']);
  assert.equal(spec.properties!.containers.type, 'array');
  assert.deepEqual(spec.properties!.containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  assert.equal(spec.properties!.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(spec.properties!.containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(spec.properties!.containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(spec.properties!.containers['x-kubernetes-list-map-keys'], ['name']);
  assert.deepEqual(spec.properties!.terminationGracePeriodSeconds, {
    description: spec.properties!.terminationGracePeriodSeconds.description,
    type: 'integer',
    format: 'int64',
  });
  assert.deepEqual(spec.properties!.nodeSelector.additionalProperties, { type: 'string' });
  const ports = s['io.k8s.api.core.v1.Container'].properties!.ports;
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(ports['x-kubernetes-patch-merge-key'], 'containerPort');

  const dep = s['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const dspec = s['io.k8s.api.apps.v1.DeploymentSpec'];
  assert.deepEqual(dspec.required, ['selector', 'template']);
  assert.equal(dspec.properties!.replicas.type, 'integer');
  assert.equal(dspec.properties!.replicas.format, 'int32');
  assert.equal(dspec.properties!.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.deepEqual(s['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties!.maxSurge.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);

  const svcSpec = s['io.k8s.api.core.v1.ServiceSpec'];
  assert.match(svcSpec.description!, /ServiceSpec describes the attributes/);
  assert.deepEqual(svcSpec.properties!.ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.match(s['io.k8s.api.core.v1.Service'].properties!.spec.description!, /Spec defines the behavior of a service/);

  // Special types as Kubernetes' v3 documents show them.
  const ios = s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(ios.format, 'int-or-string');
  assert.equal(ios['x-kubernetes-int-or-string'], true);
  assert.deepEqual(ios.oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(s['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.equal(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].type, 'string');
  assert.equal(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
  assert.equal(s['io.k8s.apimachinery.pkg.runtime.RawExtension'].type, 'object');
  assert.deepEqual(s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties!.finalizers['x-kubernetes-list-type'], 'set');

  // Metadata the patch engine (mergeInfoFor) knows beyond patch-meta.ts's table.
  const webhooks = s['io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration'].properties!.webhooks;
  assert.equal(webhooks['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(webhooks['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(s['io.k8s.api.apps.v1.DeploymentSpec'].properties!.selector['x-kubernetes-map-type'], 'atomic');

  assert.equal(builtinSchemaName('rbac.authorization.k8s.io', 'v1', 'ClusterRole'), 'io.k8s.api.rbac.v1.ClusterRole');
  // Every $ref resolves.
  for (const [name, schema] of Object.entries(s)) {
    for (const m of JSON.stringify(schema).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(s[m[1]], `${name} -> ${m[1]}`);
  }
});

test('v3 index lists group-versions with hash URLs', () => {
  const svc = new OpenApiService(resources);
  const idx = JSON.parse(svc.v3Index().body);
  assert.deepEqual(Object.keys(idx.paths), ['api/v1', 'apis/apps/v1']);
  const doc = svc.v3Document('apis/apps/v1')!;
  assert.equal(idx.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${doc.hash}`);
  assert.match(doc.hash, /^[0-9A-F]{128}$/);
  assert.equal(doc.etag, `"${doc.hash}"`);
  assert.equal(svc.v3Document('apis/batch/v1'), undefined);
});

test('v3 document: PATCH with GVK extension, fieldValidation parameter, four patch content types, full schemas', () => {
  const svc = new OpenApiService(resources);
  const doc = JSON.parse(svc.v3Document('api/v1')!.body);
  assert.equal(doc.openapi, '3.0.0');
  assert.equal(doc.info.title, 'Kubernetes');
  const item = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
  assert.ok(item.get && item.put && item.delete);
  const patch = item.patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.equal(patch.operationId, 'patchCoreV1NamespacedPod');
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ]);
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods'].post);
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods'].get);
  assert.ok(doc.paths['/api/v1/pods'].get, 'list across namespaces');
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch);
  assert.ok(doc.paths['/api/v1/nodes/{name}'].patch, 'cluster-scoped item path');
  // components: everything explain walks (pod.spec.containers[].ports).
  for (const n of ['io.k8s.api.core.v1.Pod', 'io.k8s.api.core.v1.PodList', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.api.core.v1.ContainerPort', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch'])
    assert.ok(doc.components.schemas[n], n);
  assert.equal(doc.components.schemas['io.k8s.api.apps.v1.Deployment'], undefined, 'only the group-version reachable schemas');

  const apps = JSON.parse(svc.v3Document('apis/apps/v1')!.body);
  const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.ok(apps.components.schemas['io.k8s.api.core.v1.Container'], 'deployment.spec.template.spec.containers');
});

test('CRDs come and go; their PATCH offers no strategic merge patch', () => {
  const svc = new OpenApiService(resources);
  const before = svc.v3Index().hash;
  svc.addCrd(crontab);
  assert.notEqual(svc.v3Index().hash, before);
  const doc = JSON.parse(svc.v3Document('apis/stable.example.com/v1')!.body);
  const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'stable.example.com', version: 'v1', kind: 'CronTab' });
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
  const s = doc.components.schemas['com.example.stable.v1.CronTab'];
  assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
  assert.equal(s.properties.spec.properties.replicas.type, 'integer');
  assert.deepEqual(s.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  assert.ok(doc.components.schemas['com.example.stable.v1.CronTabList']);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  svc.removeCrd('crontabs.stable.example.com');
  assert.equal(svc.v3Document('apis/stable.example.com/v1'), undefined);
  assert.equal(svc.v3Index().hash, before);
});

test('v2 is Swagger 2.0 with definitions', () => {
  const svc = new OpenApiService(resources);
  const v2 = JSON.parse(svc.v2().body);
  assert.equal(v2.swagger, '2.0');
  assert.deepEqual(v2.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
  assert.equal(v2.definitions['io.k8s.api.core.v1.Pod'].properties.spec.$ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
  const patch = v2.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.equal(patch.parameters[0].in, 'body');
  assert.ok(!JSON.stringify(v2).includes('#/components/'));
});

test('HTTP answers: caching by hash and ETag, 301 on stale hash, v2 as JSON or protobuf, 406 otherwise', () => {
  const svc = new OpenApiService(resources);
  const idx = openApiResponse(svc, { method: 'GET', path: '/openapi/v3', headers: { accept: 'application/json, */*' } })!;
  assert.equal(idx.status, 200);
  assert.equal(idx.headers['Content-Type'], 'application/json');
  const url = new URL(JSON.parse(idx.body as string).paths['api/v1'].serverRelativeURL, 'http://x');
  const doc = openApiResponse(svc, { method: 'GET', path: url.pathname, query: url.searchParams, headers: { accept: 'application/json' } })!;
  assert.equal(doc.status, 200);
  assert.equal(doc.headers['Cache-Control'], 'public, immutable');
  assert.equal(doc.headers.ETag, `"${url.searchParams.get('hash')}"`);
  const stale = openApiResponse(svc, { method: 'GET', path: url.pathname, query: new URLSearchParams('hash=ABC') })!;
  assert.equal(stale.status, 301);
  assert.equal(stale.headers.Location, url.pathname + url.search);
  const notModified = openApiResponse(svc, { method: 'GET', path: '/openapi/v3/api/v1', headers: { 'if-none-match': doc.headers.ETag } })!;
  assert.equal(notModified.status, 304);
  assert.equal(openApiResponse(svc, { method: 'GET', path: '/openapi/v3/apis/nope/v1' })!.status, 404);
  const pb = openApiResponse(svc, { method: 'GET', path: '/openapi/v2', headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } })!;
  assert.equal(pb.status, 200);
  assert.equal(pb.headers['Content-Type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  assert.ok(Buffer.isBuffer(pb.body));
  const xml = openApiResponse(svc, { method: 'GET', path: '/openapi/v2', headers: { accept: 'application/xml' } })!;
  assert.equal(xml.status, 406);
  assert.equal(JSON.parse(xml.body as string).reason, 'NotAcceptable');
  const v3pb = openApiResponse(svc, { method: 'GET', path: '/openapi/v3/api/v1', headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } })!;
  assert.equal(v3pb.status, 406, 'v3 is JSON only');
  assert.equal(openApiResponse(svc, { method: 'GET', path: '/openapi/v2', headers: { accept: 'application/json' } })!.status, 200);
  assert.equal(openApiResponse(svc, { method: 'GET', path: '/api/v1' }), undefined);
});

test('v2 protobuf: gnostic Document with definitions, vendor extensions as YAML, paths', () => {
  const svc = new OpenApiService(resources);
  const doc = decodeV2Protobuf(svc.v2Protobuf().body);
  assert.equal(doc.swagger, '2.0');
  const defs = new Map<string, any>(doc.definitions.additional_properties.map((d: any) => [d.name, d.value]));
  const pod = defs.get('io.k8s.api.core.v1.Pod');
  assert.deepEqual(pod.type.value, ['object']);
  const gvk = pod.vendor_extension.find((e: any) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(parse(gvk.value.yaml), [{ group: '', kind: 'Pod', version: 'v1' }]);
  const props = new Map<string, any>(defs.get('io.k8s.api.core.v1.PodSpec').properties.additional_properties.map((p: any) => [p.name, p.value]));
  const containers = props.get('containers');
  assert.deepEqual(containers.items.schema[0], { _ref: '#/definitions/io.k8s.api.core.v1.Container' });
  assert.deepEqual(
    containers.vendor_extension.filter((e: any) => e.name.startsWith('x-kubernetes-patch')).map((e: any) => [e.name, parse(e.value.yaml)]),
    [
      ['x-kubernetes-patch-strategy', 'merge'],
      ['x-kubernetes-patch-merge-key', 'name'],
    ],
  );
  const item = doc.paths.path.find((p: any) => p.name === '/api/v1/namespaces/{namespace}/pods/{name}').value;
  assert.ok(item.patch.parameters.some((p: any) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name === 'fieldValidation'));
  assert.ok(item.patch.vendor_extension.some((e: any) => e.name === 'x-kubernetes-group-version-kind'));
  assert.ok(item.patch.consumes.includes('application/strategic-merge-patch+json'));
});
