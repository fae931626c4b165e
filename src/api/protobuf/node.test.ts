// node.k8s.io/v1 RuntimeClass in protobuf (as client-go writes it) decodes to the JSON the Go
// type marshals to: handler always present, overhead quantities and scheduling kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from './decode.js';
import { encodeKubernetesProtobuf } from './encode.js';

test('RuntimeClass: handler, overhead.podFixed and scheduling decode', () => {
  const body = encodeKubernetesProtobuf('node.k8s.io/v1', 'RuntimeClass', {
    metadata: { name: 'kata', creationTimestamp: {} },
    handler: 'kata',
    overhead: { podFixed: { cpu: { string: '250m' }, memory: { string: '120Mi' } } },
    scheduling: { nodeSelector: { 'keelson.io/runtime': 'kata' }, tolerations: [{ key: 'keelson.io/kata', operator: 'Exists', effect: 'NoSchedule' }] },
  });
  assert.deepEqual(decodeKubernetesProtobuf(body), {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: 'kata' },
    handler: 'kata',
    overhead: { podFixed: { cpu: '250m', memory: '120Mi' } },
    scheduling: { nodeSelector: { 'keelson.io/runtime': 'kata' }, tolerations: [{ key: 'keelson.io/kata', operator: 'Exists', effect: 'NoSchedule' }] },
  });
  const empty = encodeKubernetesProtobuf('node.k8s.io/v1', 'RuntimeClass', { metadata: { name: 'x', creationTimestamp: {} } });
  assert.deepEqual(decodeKubernetesProtobuf(empty), { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'x' }, handler: '' });
});
