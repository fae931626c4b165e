// In-process scheduler benchmark: placement decisions only (no apiserver, no HTTP), on the same
// cluster shape as run.ts. Each pod is decided, assumed and confirmed through the cache as the
// live scheduler does, with a seeded random tie-break and the round-robin start index, so the
// run is deterministic: `placements` (a hash of every pod's chosen node) must not change when
// the scheduler is made faster without changing its results.
//   basic   SchedulingBasic pods (100m cpu, 100Mi)
//   spread  the same with a zone topology spread constraint (maxSkew 1, DoNotSchedule)
//   mixed   tainted, labelled and cordoned nodes; pods with nodeSelector, tolerations, preferred
//           node affinity, host ports, init containers and varied requests
// Usage: node --import tsx bench/scheduler/decide.ts [--nodes 5000] [--pods 10000] [--variant basic|spread|mixed|all]
import { createHash } from 'node:crypto';
import { decide } from '../../src/scheduler/decide.js';
import { node, pod, testCluster } from '../../src/scheduler/testing.js';
import { flag } from '../lib/util.js';

const NODES = Number(flag('nodes', '5000'));
const PODS = Number(flag('pods', '10000'));
const VARIANT = flag('variant', 'all');

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeNodes(variant: string): any[] {
  return Array.from({ length: NODES }, (_, i) => {
    const labels = { 'topology.kubernetes.io/zone': `zone-${i % 10}`, disk: i % 3 === 0 ? 'ssd' : 'hdd' };
    if (variant !== 'mixed') return node(`node-${i}`, '32', { memory: '128Gi', labels });
    return node(`node-${i}`, i % 7 === 0 ? '4' : '32', {
      memory: i % 5 === 0 ? '8Gi' : '128Gi',
      labels,
      taints: i % 11 === 0 ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] : i % 13 === 0 ? [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }] : undefined,
      unschedulable: i % 97 === 0,
      images: i % 4 === 0 ? [{ names: ['docker.io/library/pause:latest'], sizeBytes: 300 * 1024 * 1024 }] : undefined,
    });
  });
}

function makePod(variant: string, i: number): any {
  if (variant === 'basic') return pod(`pod-${i}`, { cpu: '100m', memory: '100Mi' });
  if (variant === 'spread')
    return pod(`pod-${i}`, {
      cpu: '100m',
      memory: '100Mi',
      labels: { app: 'spread' },
      spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }] },
    });
  const p = pod(`pod-${i}`, { cpu: ['100m', '1', '3500m', '6'][i % 4], memory: ['100Mi', '2Gi', '10Gi'][i % 3] });
  const spec = p.spec;
  spec.containers[0].image = i % 2 ? 'pause' : 'busybox';
  if (i % 5 === 0) spec.nodeSelector = { disk: 'ssd' };
  if (i % 6 === 0) spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }];
  if (i % 4 === 1) spec.affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 30, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-1', 'zone-2'] }] } }] } };
  if (i % 9 === 0) spec.containers[0].ports = [{ containerPort: 80, hostPort: 8000 + (i % 3) }];
  if (i % 8 === 0) spec.initContainers = [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '2', memory: '1Gi' } } }];
  return p;
}

function run(variant: string): Record<string, string | number> {
  const { fw, cache } = testCluster(makeNodes(variant));
  const random = seeded(42);
  const hash = createHash('sha1');
  let start = 0;
  let placed = 0;
  const t0 = performance.now();
  for (let i = 0; i < PODS; i++) {
    const p = makePod(variant, i);
    const nodes = cache.nodeInfos();
    const d = decide(fw, p, nodes, { startIndex: start, random });
    start = (start + d.evaluated) % nodes.length;
    hash.update(`${p.metadata.name}=${d.node ?? '-'};`);
    if (!d.node) continue;
    placed++;
    cache.assume(p, d.node);
    cache.addPod({ ...p, spec: { ...p.spec, nodeName: d.node } }); // the watch confirms the binding
  }
  const ms = performance.now() - t0;
  return { variant, nodes: NODES, pods: PODS, placed, 'µs per pod': ((ms * 1000) / PODS).toFixed(0), 'pods/s': ((PODS * 1000) / ms).toFixed(0), placements: hash.digest('hex').slice(0, 12) };
}

const rows = (VARIANT === 'all' ? ['basic', 'spread', 'mixed'] : [VARIANT]).map(run);
console.table(rows);
