import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAgainstSchema } from './schemas.js';
import { builtinStrategies } from '../registry/all.js';

const strategy = (group: string, resource: string) => builtinStrategies.find((s) => s.info.group === group && s.info.resource === resource)!;
const configmaps = strategy('', 'configmaps');
const deployments = strategy('apps', 'deployments');
const pods = strategy('', 'pods');

const deployment = (spec: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'keelson-web', labels: { app: 'web' } },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } }, ...spec },
});

test('a well-typed object decodes cleanly (null fits anything; quantities and int-or-strings take numbers or strings)', () => {
  const d = deployment({ replicas: 3, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } }, paused: null });
  (d.spec.template.spec.containers[0] as any).resources = { limits: { cpu: 1, memory: '64Mi' } };
  assert.deepEqual(decodeAgainstSchema(deployments, d), { unknown: [] });
  assert.deepEqual(decodeAgainstSchema(configmaps, { metadata: { name: 'x', creationTimestamp: null }, data: { a: 'b' }, binaryData: { b: 'AAE=' } }), { unknown: [] });
});

test('the first value of the wrong JSON type, worded as encoding/json reports it', () => {
  const err = (s: typeof configmaps, o: unknown) => decodeAgainstSchema(s, o as any).typeError;
  assert.equal(err(configmaps, { metadata: { name: 'x' }, data: { a: 1 } }), 'json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
  assert.equal(err(configmaps, { metadata: { name: 'x', labels: { on: true } } }), 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string');
  assert.equal(err(deployments, deployment({ replicas: '3' })), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  const port = deployment({});
  (port.spec.template.spec.containers[0].ports[0] as any).containerPort = '80';
  assert.equal(err(deployments, port), 'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32');
  assert.equal(err(deployments, deployment({ replicas: 1.5 })), 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(err(deployments, deployment({ template: 'x' })), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.template of type v1.PodTemplateSpec');
  assert.equal(err(pods, { metadata: { name: 'p' }, spec: { containers: { name: 'c' } } }), 'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container');
  assert.equal(err(pods, { metadata: { name: 'p' }, spec: { hostNetwork: 'true', containers: [{ name: 'c', args: [1] }] } }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool');
});

test('unknown fields are listed with their indexed paths', () => {
  const d = deployment({ replica: 3 });
  (d.spec.template.spec.containers[0] as any).imagee = 'x';
  assert.deepEqual(decodeAgainstSchema(deployments, d).unknown, ['spec.template.spec.containers[0].imagee', 'spec.replica']);
});
