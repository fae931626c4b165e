import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateDiscovery, negotiateResponse, decodeBody, setProtobufDecoder } from './negotiation.js';
import { ApiError } from './status.js';

test('kubectl get asks for a v1 Table; -o yaml asks for JSON', () => {
  assert.deepEqual(negotiateResponse('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), { kind: 'table', version: 'v1' });
  assert.deepEqual(negotiateResponse('application/vnd.kubernetes.protobuf,application/json'), { kind: 'object' });
  assert.deepEqual(negotiateResponse(undefined), { kind: 'object' });
  assert.deepEqual(negotiateResponse('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json'), { kind: 'partial', version: 'v1' });
  assert.throws(() => negotiateResponse('text/html'), (e: ApiError) => e.code === 406);
});

test('aggregated discovery by Accept', () => {
  assert.equal(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2');
  assert.equal(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
  assert.equal(negotiateDiscovery('application/json, */*'), 'legacy');
  assert.equal(negotiateDiscovery(undefined), 'legacy');
});

test('bodies: JSON, YAML, protobuf through the registered decoder, else 415', () => {
  assert.deepEqual(decodeBody(Buffer.from('{"a":1}'), 'application/json'), { a: 1 });
  assert.deepEqual(decodeBody(Buffer.from('a: 1\n'), 'application/yaml'), { a: 1 });
  assert.throws(() => decodeBody(Buffer.from('{'), 'application/json'), (e: ApiError) => e.code === 400);
  assert.throws(() => decodeBody(Buffer.from('[1]'), 'application/json'), (e: ApiError) => e.code === 400);
  assert.throws(() => decodeBody(Buffer.from('x'), 'text/plain'), (e: ApiError) => e.code === 415 && e.reason === 'UnsupportedMediaType');
  setProtobufDecoder((b) => ({ decoded: b.length }));
  assert.deepEqual(decodeBody(Buffer.from('k8s\0xx'), 'application/vnd.kubernetes.protobuf'), { decoded: 6 });
});
