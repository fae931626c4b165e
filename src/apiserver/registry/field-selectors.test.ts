// Field selectors kinds register beyond metadata.name/namespace, as kube-apiserver 1.32's
// SelectableFields do, checked through the generic store's predicate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePredicate } from './generic/filter.js';
import { strategy as services } from './core/services/strategy.js';
import { strategy as csrs } from './certificates/certificatesigningrequests/strategy.js';
import { ApiError } from '../status.js';

const names = (s: Parameters<typeof makePredicate>[0], sel: string, objs: any[]) => objs.filter((o) => makePredicate(s, '', sel).matches(o)).map((o) => o.metadata.name);

test('services select on spec.clusterIP and spec.type (kube-proxy skips headless ones with spec.clusterIP!=None)', () => {
  const svcs = [
    { metadata: { name: 'keelson-web' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.20' } },
    { metadata: { name: 'keelson-headless' }, spec: { type: 'ClusterIP', clusterIP: 'None' } },
    { metadata: { name: 'keelson-np' }, spec: { type: 'NodePort', clusterIP: '10.96.0.21' } },
    { metadata: { name: 'keelson-ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
  ];
  assert.deepEqual(names(services, 'spec.clusterIP!=None', svcs), ['keelson-web', 'keelson-np', 'keelson-ext']);
  assert.deepEqual(names(services, 'spec.clusterIP=10.96.0.21', svcs), ['keelson-np']);
  assert.deepEqual(names(services, 'spec.type=NodePort', svcs), ['keelson-np']);
  assert.deepEqual(names(services, 'spec.type!=ExternalName,spec.clusterIP!=None', svcs), ['keelson-web', 'keelson-np']);
  assert.throws(() => makePredicate(services, '', 'spec.ports=80'), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'field label not supported: spec.ports');
});

test('certificate signing requests select on spec.signerName', () => {
  const list = [
    { metadata: { name: 'keelson-client' }, spec: { signerName: 'kubernetes.io/kube-apiserver-client' } },
    { metadata: { name: 'keelson-kubelet' }, spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet' } },
  ];
  assert.deepEqual(names(csrs, 'spec.signerName=kubernetes.io/kube-apiserver-client-kubelet', list), ['keelson-kubelet']);
  assert.deepEqual(names(csrs, 'spec.signerName!=kubernetes.io/kube-apiserver-client-kubelet', list), ['keelson-client']);
});
