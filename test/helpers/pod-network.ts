// A pod network of a test's own for process-runtime kubelets (which give every pod a network
// namespace by default as root): a bridge keelson-pn<id> and a /20 cluster CIDR 10.<100-199>.<16k>.0
// (node IPAM hands out /24s of it; a bare kubelet takes the first one with --pod-cidr), so test
// files running at the same time never share a bridge or addresses, and none uses the default
// keelson0 / 10.244.0.0/16 of a real node. cleanup(rootDir) removes what a kubelet on that root
// dir left (a SIGKILLed one leaves namespaces, the processes in them, veths and rules): the
// recorded sandboxes released as `keelson killall` does, then the bridge.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { purgePodNetworks } from '../../src/kubelet/runtime/process/pod-network.js';

export interface TestPodNetwork {
  bridge: string;
  /** The cluster's pod range (a /20). */
  clusterCIDR: string;
  /** Its first /24: a bare kubelet's --pod-cidr. */
  podCIDR: string;
  /** `keelson server` / `keelson agent`-side flags: --pod-network-bridge, --cluster-cidr. */
  serverArgs: string[];
  /** `keelson kubelet` flags: --pod-network-bridge, --pod-cidr. */
  kubeletArgs: string[];
  /** Releases the pod networks recorded under each kubelet root dir, then removes the bridge. */
  cleanup(...kubeletRootDirs: string[]): Promise<void>;
}

/** Whether process-runtime pods get a network namespace here (root with the CNI plugins). */
export const podNetnsByDefault = (): boolean => process.getuid?.() === 0 && ['bridge', 'host-local', 'portmap'].every((p) => existsSync(`/usr/lib/cni/${p}`));

export function testPodNetwork(): TestPodNetwork {
  const id = randomBytes(2).toString('hex');
  const n = parseInt(id, 16);
  const prefix = `10.${100 + (n % 100)}.${16 * (Math.floor(n / 100) % 16)}`;
  const bridge = `keelson-pn${id}`;
  const clusterCIDR = `${prefix}.0/20`;
  const podCIDR = `${prefix}.0/24`;
  return {
    bridge,
    clusterCIDR,
    podCIDR,
    serverArgs: ['--pod-network-bridge', bridge, '--cluster-cidr', clusterCIDR],
    kubeletArgs: ['--pod-network-bridge', bridge, '--pod-cidr', podCIDR],
    async cleanup(...rootDirs) {
      if (process.getuid?.() !== 0) return;
      for (const d of rootDirs) if (existsSync(d)) await purgePodNetworks(d, { bridge }).catch(() => undefined);
      spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    },
  };
}
