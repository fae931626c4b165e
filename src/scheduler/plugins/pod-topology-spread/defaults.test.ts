// PodTopologySpread's default constraints over the framework: kube's system defaults for pods a
// Service/controller selects, defaultingType List from the profile's plugin args, and the args
// kube refuses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../decide.js';
import { node, pod, testCluster } from '../../testing.js';
import { defaultSelector } from './default-selector.js';
import { staticListers } from '../../framework/listers.js';

const web = (name: string, nodeName?: string) => pod(name, { labels: { app: 'web', pod: name }, nodeName });
const rs = { metadata: { name: 'web-rs', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } } } };
const svc = { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' } } };
const three = () => [node('a', '8'), node('b', '8'), node('c', '8')];

describe('PodTopologySpread default constraints', () => {
  it('the selector is the union of what selects the pod; nothing selects it -> none', () => {
    const l = staticListers({ services: [svc, { metadata: { name: 'other', namespace: 'default' }, spec: { selector: { app: 'db' } } }], replicaSets: [rs] });
    assert.deepEqual(defaultSelector(web('w'), l), { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] });
    assert.equal(defaultSelector(pod('lonely', { labels: { app: 'x' } }), l), undefined);
    assert.equal(defaultSelector({ ...web('w'), metadata: { ...web('w').metadata, namespace: 'other' } }, l), undefined, 'other namespaces do not select');
  });

  it('system defaults spread a ReplicaSet\'s pods by hostname, also on nodes without a zone label', () => {
    const c = testCluster(three(), [web('w1', 'a'), web('w2', 'a'), web('w3', 'b')], {}, [], { replicaSets: [rs] });
    const d = decide(c.fw, web('w4'), c.cache.nodeInfos());
    const spread = Object.fromEntries(d.scores.map((s) => [s.name, s.byPlugin.PodTopologySpread]));
    assert.ok(spread.c > spread.b && spread.b > spread.a, JSON.stringify(spread));
    assert.equal(d.node, 'c');
    // A pod nothing selects gets no default constraints: the plugin skips scoring.
    const lone = decide(c.fw, pod('lone', { labels: { app: 'x' } }), c.cache.nodeInfos());
    assert.equal(lone.scores[0].byPlugin.PodTopologySpread, undefined);
  });

  it('zones count under the system defaults when nodes carry them', () => {
    const zone = (n: string, z: string) => node(n, '8', { labels: { 'topology.kubernetes.io/zone': z } });
    const c = testCluster([zone('a1', 'z1'), zone('a2', 'z1'), zone('b1', 'z2'), zone('b2', 'z2')], [web('w1', 'a1'), web('w2', 'a2')], {}, [], { services: [svc] });
    const d = decide(c.fw, web('w3'), c.cache.nodeInfos());
    assert.ok(['b1', 'b2'].includes(d.node!), `zone z2 is empty: ${d.node}`);
  });

  it('defaultingType List: the listed constraints (a hard one filters), with the default selector', () => {
    const profile = { pluginConfig: [{ name: 'PodTopologySpread', args: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }] } }] };
    const c = testCluster(three(), [web('w1', 'a'), web('w2', 'b')], profile, [], { services: [svc] });
    const d = decide(c.fw, web('w3'), c.cache.nodeInfos());
    assert.equal(d.node, 'c');
    assert.deepEqual(d.rejected.get('a')?.reasons, ["node(s) didn't match pod topology spread constraints"]);
    // The pod's own constraints replace the defaults.
    const own = pod('own', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [{ maxSkew: 5, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] } });
    assert.equal(decide(c.fw, own, c.cache.nodeInfos()).rejected.size, 0);
    // List with no constraints: no defaults at all.
    const none = testCluster(three(), [web('w1', 'a')], { pluginConfig: [{ name: 'PodTopologySpread', args: { defaultingType: 'List' } }] }, [], { services: [svc] });
    assert.equal(decide(none.fw, web('w2'), none.cache.nodeInfos()).scores[0].byPlugin.PodTopologySpread, undefined);
  });

  it('args kube refuses: constraints with System, a selector in a default constraint, an unknown type', () => {
    const bad = (args: Record<string, any>) => () => testCluster(three(), [], { pluginConfig: [{ name: 'PodTopologySpread', args }] });
    assert.throws(bad({ defaultConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }] }), /when \.defaultingType is "System", \.defaultConstraints must be empty/);
    assert.throws(bad({ defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: 'k', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: {} }] }), /must not define a selector/);
    assert.throws(bad({ defaultingType: 'Sometimes' }), /Unsupported value: "Sometimes"/);
  });
});
