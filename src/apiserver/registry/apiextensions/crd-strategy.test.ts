import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../api/field-errors.js';
import type { KObject, StrategyContext } from '../strategy.js';
import { crontabCrd, widgetCrd } from './fixtures.js';
import { setCrdDefaults, validateCrd } from './crd-validation.js';
import { pruneCustomResource, strategyForCustomResource } from './crd-strategy.js';

const ctx: StrategyContext = { namespace: 'default', user: { name: 'admin', groups: [] }, dryRun: false, now: () => new Date('2024-01-01T01:00:00Z') };

const crontab = (spec: Record<string, unknown> = { cronSpec: '* * * * */5', replicas: 1 }): KObject => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'c1', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec,
});

/** The acceptance CRD with status and scale subresources and printer columns added. */
function richCrd(): any {
  const crd: any = crontabCrd();
  const v = crd.spec.versions[0];
  v.schema.openAPIV3Schema.properties.spec.properties.image = { type: 'string', default: 'busybox' };
  v.schema.openAPIV3Schema.properties.status = { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } };
  v.subresources = { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } };
  v.additionalPrinterColumns = [
    { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];
  v.selectableFields = [{ jsonPath: '.spec.cronSpec' }];
  setCrdDefaults(crd);
  return crd;
}

test('ResourceInfo and storage prefix from the CRD (the acceptance CronTab)', () => {
  const crd = crontabCrd();
  setCrdDefaults(crd);
  const s = strategyForCustomResource(crd, 'v1');
  assert.deepEqual(s.info, {
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    group: 'stable.example.com',
    version: 'v1',
    kind: 'CronTab',
    listKind: 'CronTabList',
    resource: 'crontabs',
    singular: 'crontab',
    namespaced: true,
    shortNames: ['ct'],
    storagePrefix: 'stable.example.com/crontabs',
  });
  assert.equal(s.status, undefined, 'no status subresource declared');
  assert.equal(s.scale, undefined);
  assert.throws(() => strategyForCustomResource(crd, 'v9'), /has no version v9/);
});

test('validation by the version schema, apiVersion/kind and metadata rules', () => {
  const crd = crontabCrd();
  setCrdDefaults(crd);
  const s = strategyForCustomResource(crd, 'v1');
  assert.deepEqual(s.validate!(crontab(), ctx), []);
  assert.deepEqual(s.validate!(crontab({ cronSpec: '* * * * *', replicas: 'string' }), ctx).map(fieldErrorString), [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
  ]);
  const bad = crontab();
  bad.metadata!.name = 'Bad_Name';
  bad.kind = 'Other';
  const msgs = s.validate!(bad, ctx).map(fieldErrorString);
  assert.ok(msgs.some((m) => m.startsWith('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain')), msgs.join('\n'));
  assert.ok(msgs.includes('kind: Invalid value: "Other": must be CronTab'));
  const noNs = crontab();
  delete noNs.metadata!.namespace;
  assert.deepEqual(s.validate!(noNs, ctx).map(fieldErrorString), ['metadata.namespace: Required value']);
});

test('defaults prune unknown fields and apply schema defaults; pruneCustomResource reports them', () => {
  const crd = richCrd();
  const s = strategyForCustomResource(crd, 'v1');
  const obj = crontab({ cronSpec: 'x', replicas: 2, bogus: true });
  assert.deepEqual(pruneCustomResource(crd, 'v1', structuredClone(obj)), ['spec.bogus']);
  s.defaults!(obj);
  assert.deepEqual(obj.spec, { cronSpec: 'x', replicas: 2, image: 'busybox' });
});

test('status subresource: dropped on create, kept on main update, only status via /status', () => {
  const crd = richCrd();
  const s = strategyForCustomResource(crd, 'v1');
  const created = crontab();
  created.status = { replicas: 5 };
  s.prepareForCreate!(created, ctx);
  assert.equal(created.status, undefined);
  assert.equal(created.metadata!.generation, 1);

  const old: KObject = { ...crontab(), status: { replicas: 1 } };
  old.metadata!.generation = 1;
  const upd = structuredClone(old);
  upd.status = { replicas: 9 };
  upd.metadata!.labels = { a: 'b' };
  s.prepareForUpdate!(upd, old, ctx);
  assert.deepEqual(upd.status, { replicas: 1 }, 'status ignored on the main resource');
  assert.equal(upd.metadata!.generation, 1, 'metadata-only change keeps generation');

  const specChange = structuredClone(old);
  specChange.spec.replicas = 3;
  s.prepareForUpdate!(specChange, old, ctx);
  assert.equal(specChange.metadata!.generation, 2, 'spec change bumps generation');

  const viaStatus = structuredClone(old);
  viaStatus.spec.replicas = 42;
  viaStatus.status = { replicas: 7 };
  s.status!.prepareForUpdate!(viaStatus, old, ctx);
  assert.deepEqual(viaStatus.spec, old.spec);
  assert.deepEqual(viaStatus.status, { replicas: 7 });
  assert.equal(viaStatus.metadata!.generation, 1);
  assert.deepEqual(s.status!.validateUpdate!({ ...viaStatus, status: { replicas: 'x' } }, old, ctx).map(fieldErrorString), [
    'status.replicas: Invalid value: "string": status.replicas in body must be of type integer: "string"',
  ]);
});

test('without a status subresource any non-metadata change bumps generation', () => {
  const crd = crontabCrd();
  setCrdDefaults(crd);
  const s = strategyForCustomResource(crd, 'v1');
  const old: KObject = { ...crontab(), status: { x: 1 } };
  old.metadata!.generation = 4;
  const upd = structuredClone(old);
  upd.status = { x: 2 };
  s.prepareForUpdate!(upd, old, ctx);
  assert.equal(upd.metadata!.generation, 5);
});

test('scale subresource paths converted from the CRD JSONPaths', () => {
  const s = strategyForCustomResource(richCrd(), 'v1');
  assert.deepEqual(s.scale, { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' });
});

test('table: Name + additionalPrinterColumns; default Name + Age; selectable fields', () => {
  const s = strategyForCustomResource(richCrd(), 'v1');
  assert.deepEqual(
    s.table!.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Spec', 'string', 0],
      ['Replicas', 'integer', 0],
      ['Age', 'date', 0],
    ],
  );
  assert.equal(s.table!.columns[0].format, 'name');
  assert.deepEqual(s.table!.cells(crontab(), new Date('2024-01-01T01:00:00Z')), ['c1', '* * * * */5', 1, '60m']);
  assert.deepEqual(s.table!.cells(crontab({}), new Date('2024-01-01T01:00:00Z')), ['c1', null, null, '60m']);
  assert.equal(s.fieldSelectors!['spec.cronSpec'](crontab()), '* * * * */5');

  const plain = crontabCrd();
  setCrdDefaults(plain);
  const t = strategyForCustomResource(plain, 'v1').table!;
  assert.deepEqual(
    t.columns.map((c) => c.name),
    ['Name', 'Age'],
  );
  assert.deepEqual(t.cells(crontab(), new Date('2024-01-03T00:00:00Z')), ['c1', '2d']);
});

test('a controller-gen style CRD: valid, its objects validated, defaulted, printed', () => {
  const crd = widgetCrd();
  setCrdDefaults(crd);
  assert.deepEqual(validateCrd(crd).map(fieldErrorString), []);
  const s = strategyForCustomResource(crd, 'v1alpha1');
  const w: KObject = {
    apiVersion: 'example.io/v1alpha1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { color: 'red', port: 'http', labels: { a: 'b' }, template: { apiVersion: 'v1', kind: 'Pod', spec: { anything: true } }, extra: { free: [1, 2] }, tags: ['x'] },
    status: {
      size: 2,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Done', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }],
    },
  };
  s.defaults!(w);
  assert.equal(w.spec.size, 1, 'defaulted');
  assert.deepEqual(s.validate!(w, ctx), []);
  assert.deepEqual(s.table!.cells(w, new Date('2024-01-01T00:10:00Z')), ['w', 'True', 1, '10m']);
  assert.deepEqual(s.table!.columns.map((c) => [c.name, c.priority]), [
    ['Name', 0],
    ['Ready', 0],
    ['Size', 1],
    ['Age', 0],
  ]);
  const bad = structuredClone(w);
  bad.spec.color = 'pink';
  bad.spec.port = 1.5;
  bad.spec.tags = ['a', 'a'];
  bad.status.conditions.push({ type: 'Ready', status: 'Maybe', reason: '', message: '', lastTransitionTime: 'now' });
  assert.deepEqual(s.validate!(bad, ctx).map(fieldErrorString).sort(), [
    'spec.color: Unsupported value: "pink": supported values: "red", "green", "blue"',
    'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
    'spec.tags[1]: Duplicate value: "a"',
    'status.conditions[1]: Duplicate value: {"type":"Ready"}',
    'status.conditions[1].lastTransitionTime: Invalid value: "now": status.conditions[1].lastTransitionTime in body must be of type date-time: "now"',
    'status.conditions[1].reason: Invalid value: "": status.conditions[1].reason in body should be at least 1 chars long',
    "status.conditions[1].reason: Invalid value: \"\": status.conditions[1].reason in body should match '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'",
    'status.conditions[1].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"',
  ].sort());
  assert.deepEqual(s.scale, { specReplicasPath: 'spec.size', statusReplicasPath: 'status.size', labelSelectorPath: 'status.selector' });
});
