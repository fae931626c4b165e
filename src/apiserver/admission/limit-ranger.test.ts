// LimitRanger admission: defaults into containers (with the annotation) and kube's min/max/ratio
// messages for Container, Pod and PersistentVolumeClaim items.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admit, attrs, fixture, type Fixture } from './testing.js';
import { limitRanger } from './limit-ranger.js';
import { ApiError } from '../status.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  await f.create('', 'namespaces', { metadata: { name: 'lr' } });
  await f.create('', 'limitranges', {
    metadata: { name: 'limits', namespace: 'lr' },
    spec: {
      limits: [
        { type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' }, max: { cpu: '1' }, min: { cpu: '50m' }, maxLimitRequestRatio: { cpu: '10' } },
        { type: 'Pod', max: { memory: '1Gi' } },
        { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
      ],
    },
  });
});
after(() => f.close());

const podIn = (containers: object[]) => ({ metadata: { name: 'p', namespace: 'lr' }, spec: { containers } });
const forbidden = (msg: string) => (e: ApiError) => {
  assert.equal(e.code, 403);
  assert.equal(e.message, msg);
  return true;
};

test('defaults fill missing requests and limits and are recorded', async () => {
  const a = await admit([limitRanger(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'lr' }, podIn([{ name: 'web', image: 'x' }])));
  const c = a.object!.spec.containers[0];
  assert.deepEqual(c.resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
  assert.equal(a.object!.metadata!.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
});

test('max per container', async () => {
  const p = podIn([{ name: 'big', image: 'x', resources: { limits: { cpu: '2' }, requests: { cpu: '1' } } }]);
  await assert.rejects(admit([limitRanger(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'lr' }, p)), forbidden('pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2'));
});

test('min and ratio together are aggregated as kube prints them', async () => {
  const p = podIn([{ name: 'tiny', image: 'x', resources: { limits: { cpu: '800m' }, requests: { cpu: '10m' } } }]);
  await assert.rejects(
    admit([limitRanger(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'lr' }, p)),
    forbidden('pods "p" is forbidden: [minimum cpu usage per Container is 50m, but request is 10m, cpu max limit to request ratio per Container is 10, but provided ratio is 80.000000]'),
  );
});

test('pod max sums its containers', async () => {
  const c = (n: string) => ({ name: n, image: 'x', resources: { limits: { memory: '600Mi' } } });
  await assert.rejects(admit([limitRanger(f.resources)], attrs('CREATE', { resource: 'pods', namespace: 'lr' }, podIn([c('a'), c('b')]))), forbidden('pods "p" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi'));
});

test('claims: min and max storage request', async () => {
  const pvc = (size: string) => ({ metadata: { name: 'data', namespace: 'lr' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } });
  await assert.rejects(
    admit([limitRanger(f.resources)], attrs('CREATE', { resource: 'persistentvolumeclaims', namespace: 'lr' }, pvc('20Gi'))),
    forbidden('persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi'),
  );
  await assert.rejects(
    admit([limitRanger(f.resources)], attrs('CREATE', { resource: 'persistentvolumeclaims', namespace: 'lr' }, pvc('500Mi'))),
    forbidden('persistentvolumeclaims "data" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi'),
  );
  await admit([limitRanger(f.resources)], attrs('CREATE', { resource: 'persistentvolumeclaims', namespace: 'lr' }, pvc('5Gi')));
});
