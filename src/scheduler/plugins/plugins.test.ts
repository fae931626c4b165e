// Per-plugin table tests: each default plugin's extension points called directly, with the
// verdicts, reasons and raw scores Kubernetes' plugins give for the same inputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../framework/cycle-state.js';
import type { Handle, NodeScore } from '../framework/interface.js';
import { NodeInfo, newPodInfo } from '../framework/node-info.js';
import { node, pod } from '../testing.js';
import * as Fit from './node-resources-fit/index.js';
import * as Balanced from './balanced-allocation/index.js';
import * as Affinity from './node-affinity/index.js';
import * as Taints from './taint-toleration/index.js';
import * as Ports from './node-ports/index.js';
import * as Name from './node-name/index.js';
import * as Unsched from './node-unschedulable/index.js';
import * as Images from './image-locality/index.js';
import * as Sort from './priority-sort/index.js';
import { tolerates } from './taint-toleration/tolerations.js';

const info = (n: any, pods: any[] = []) => {
  const ni = new NodeInfo(n);
  for (const p of pods) ni.addPod(newPodInfo(p));
  return ni;
};
const handleOf = (nodes: NodeInfo[]): Handle => ({
  nodes: () => nodes,
  node: (n) => nodes.find((x) => x.name === n),
  bindPod: async () => {},
  deletePod: async () => {},
  nominate: async () => {},
  pdbs: () => [],
  priorityOf: (p) => p.spec?.priority ?? 0,
  filterDryRun: () => {
    throw new Error('not used');
  },
});

describe('NodeResourcesFit', () => {
  const cases: Array<[string, any, any[], string[]]> = [
    ['fits', pod('p', { cpu: '2', memory: '1Gi' }), [], []],
    ['cpu short', pod('p', { cpu: '5' }), [], ['Insufficient cpu']],
    ['cpu and memory short', pod('p', { cpu: '5', memory: '100Gi' }), [], ['Insufficient cpu', 'Insufficient memory']],
    ['counts pods already there', pod('p', { cpu: '2' }), [pod('q', { cpu: '3', nodeName: 'n' })], ['Insufficient cpu']],
    ['init container max, not sum', pod('p', { spec: { initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '3' } } }], containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1' } } }] } }), [], []],
    ['pod overhead counts', pod('p', { cpu: '3500m', spec: { overhead: { cpu: '600m' } } }), [], ['Insufficient cpu']],
    ['extended resource', pod('p', { spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '1' } } }] } }), [], ['Insufficient example.com/gpu']],
  ];
  for (const [name, p, existing, reasons] of cases)
    it(name, () => {
      const plugin = Fit.factory({});
      const st = new CycleState();
      plugin.preFilter(st, p, []);
      assert.deepEqual(plugin.filter(st, p, info(node('n', '4', { memory: '8Gi' }), existing)).reasons, reasons);
    });
  it('too many pods', () => {
    const plugin = Fit.factory({});
    const st = new CycleState();
    const p = pod('p');
    plugin.preFilter(st, p, []);
    assert.deepEqual(plugin.filter(st, p, info(node('n', '4', { pods: '1' }), [pod('q', { nodeName: 'n' })])).reasons, ['Too many pods']);
  });
  it('scores: LeastAllocated prefers room, MostAllocated prefers packing', () => {
    const p = pod('p', { cpu: '1', memory: '1Gi' });
    const big = info(node('big', '8', { memory: '16Gi' }));
    const small = info(node('small', '2', { memory: '2Gi' }));
    const least = Fit.factory({});
    const most = Fit.factory({ scoringStrategy: { type: 'MostAllocated' } });
    const st = new CycleState();
    assert.ok(least.score(st, p, big) > least.score(st, p, small));
    assert.ok(most.score(st, p, small) > most.score(st, p, big));
    // (8000-1000)/8000*100 = 87 for cpu, (16-1)/16*100 = 93 for memory -> 90
    assert.equal(least.score(new CycleState(), p, big), 90);
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('balanced use scores 100, lopsided less', () => {
    const plugin = Balanced.factory({});
    const n = info(node('n', '4', { memory: '4Gi' }));
    assert.equal(plugin.score(new CycleState(), pod('p', { cpu: '2', memory: '2Gi' }), n), 100);
    // fractions 1 and 400Mi/4Gi = 0.098: std 0.451, (1 - 0.451) * 100 truncated as Kubernetes' int64().
    assert.equal(plugin.score(new CycleState(), pod('p', { cpu: '4', memory: '400Mi' }), n), 54);
  });
});

describe('NodeAffinity', () => {
  const n = info(node('n', '4', { labels: { zone: 'a', gpu: 'yes', gen: '5' } }));
  const req = (expr: any) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] } } } });
  const cases: Array<[string, any, boolean]> = [
    ['nodeSelector match', { nodeSelector: { zone: 'a' } }, true],
    ['nodeSelector miss', { nodeSelector: { zone: 'b' } }, false],
    ['In', req({ key: 'zone', operator: 'In', values: ['a', 'b'] }), true],
    ['NotIn', req({ key: 'zone', operator: 'NotIn', values: ['a'] }), false],
    ['Exists', req({ key: 'gpu', operator: 'Exists' }), true],
    ['DoesNotExist', req({ key: 'gpu', operator: 'DoesNotExist' }), false],
    ['Gt', req({ key: 'gen', operator: 'Gt', values: ['4'] }), true],
    ['Lt', req({ key: 'gen', operator: 'Lt', values: ['4'] }), false],
    ['matchFields name', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }] } } } }, true],
  ];
  for (const [name, spec, ok] of cases)
    it(name, () => {
      const s = Affinity.factory().filter(new CycleState(), pod('p', { spec }), n);
      assert.equal(s.isSuccess(), ok);
      if (!ok) assert.deepEqual(s.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
    });
  it('preferred terms add weights, normalised to 100', () => {
    const plugin = Affinity.factory();
    const p = pod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 30, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }] } } } });
    const other = info(node('m', '4', { labels: { zone: 'b' } }));
    const scores: NodeScore[] = [n, other].map((x) => ({ name: x.name, score: plugin.score(new CycleState(), p, x) }));
    plugin.normalizeScore!(new CycleState(), p, scores);
    assert.deepEqual(scores, [{ name: 'n', score: 100 }, { name: 'm', score: 0 }]);
  });
});

describe('TaintToleration', () => {
  const taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  it('tolerations: Equal, Exists, empty key, effect match', () => {
    assert.ok(tolerates({ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, taint));
    assert.ok(tolerates({ key: 'dedicated', operator: 'Exists' }, taint));
    assert.ok(tolerates({ operator: 'Exists' }, taint));
    assert.ok(!tolerates({ key: 'dedicated', value: 'web' }, taint));
    assert.ok(!tolerates({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint));
  });
  it('filter reason names the taint; PreferNoSchedule only scores', () => {
    const plugin = Taints.factory();
    const n = info(node('n', '4', { taints: [taint] }));
    assert.deepEqual(plugin.filter(new CycleState(), pod('p'), n).reasons, ['node(s) had untolerated taint {dedicated: db}']);
    const soft = info(node('s', '4', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }));
    assert.ok(plugin.filter(new CycleState(), pod('p'), soft).isSuccess());
    const st = new CycleState();
    plugin.preScore(st, pod('p'), []);
    const scores: NodeScore[] = [soft, info(node('c', '4'))].map((x) => ({ name: x.name, score: plugin.score(st, pod('p'), x) }));
    plugin.normalizeScore!(st, pod('p'), scores);
    assert.deepEqual(scores, [{ name: 's', score: 0 }, { name: 'c', score: 100 }]);
  });
});

describe('NodePorts, NodeName, NodeUnschedulable, PrioritySort, ImageLocality', () => {
  it('host port conflicts by port, protocol and IP', () => {
    const withPort = (port: number, protocol = 'TCP', hostIP?: string) => pod('p', { spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 1, hostPort: port, protocol, hostIP }] }] } });
    const n = info(node('n', '4'), [{ ...withPort(80), metadata: { name: 'q', namespace: 'default' } }]);
    const f = Ports.factory();
    assert.deepEqual(f.filter(new CycleState(), withPort(80), n).reasons, ["node(s) didn't have free ports for the requested pod ports"]);
    assert.ok(f.filter(new CycleState(), withPort(80, 'UDP'), n).isSuccess());
    assert.ok(f.filter(new CycleState(), withPort(81), n).isSuccess());
  });
  it('NodeName and NodeUnschedulable', () => {
    assert.deepEqual(Name.factory().filter(new CycleState(), pod('p', { spec: { nodeName: 'other' } }), info(node('n', '1'))).reasons, ["node(s) didn't match the requested node name"]);
    const cordoned = info(node('n', '1', { unschedulable: true }));
    assert.deepEqual(Unsched.factory().filter(new CycleState(), pod('p'), cordoned).reasons, ['node(s) were unschedulable']);
    assert.ok(Unsched.factory().filter(new CycleState(), pod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }), cordoned).isSuccess());
  });
  it('PrioritySort: higher priority first, then older', () => {
    const q = (prio: number, ts: number) => ({ pod: pod('p', { priority: prio }), key: 'k', initialAttemptTimestamp: ts, timestamp: ts, attempts: 0, unschedulablePlugins: new Set<string>() });
    const s = Sort.factory();
    assert.ok(s.less(q(10, 5), q(1, 1)));
    assert.ok(s.less(q(1, 1), q(1, 2)));
  });
  it('ImageLocality prefers nodes that have the image, by size and spread', () => {
    const img = { names: ['docker.io/library/nginx:1.25'], sizeBytes: 500 * 1024 * 1024 };
    const nodes = [info(node('has', '4', { images: [img] })), info(node('not', '4'))];
    const plugin = Images.factory({}, handleOf(nodes));
    const p = pod('p', { spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } });
    const st = new CycleState();
    assert.ok(plugin.preScore(st, p, nodes).isSuccess());
    assert.ok(plugin.score(st, p, nodes[0]) > 0);
    assert.equal(plugin.score(st, p, nodes[1]), 0);
    assert.equal(Images.normalizeImage('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(Images.normalizeImage('127.0.0.1:5000/app:v1'), '127.0.0.1:5000/app:v1');
  });
});
