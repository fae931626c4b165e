// The node's pod network as a CNI configuration for containerd's CRI plugin (conf_dir):
// <conf_dir>/10-keelson.conflist with the Debian plugins (containernetworking-plugins in
// /usr/lib/cni): bridge `keelson0` (the pods' gateway, masquerading traffic that leaves the
// node's pod subnet, hairpin so a pod reaches itself through a service), host-local IPAM over
// the node's spec.podCIDR (from the controller manager's node IPAM), portmap for hostPort. The
// loopback interface of each sandbox is brought up by the CRI plugin itself (it runs the
// loopback plugin), so the list does not name it. Also the host settings pods need
// (net.ipv4.ip_forward=1, bridge-nf-call-iptables=1), and removing the bridge when the node goes.
//
// Where it diverges: Kubernetes leaves the CNI config to a network add-on (flannel, calico...);
// this is what a minimal add-on (or k3s' flannel host-gw backend) would write.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const CNI_CONFLIST = '10-keelson.conflist';
export const DEFAULT_BRIDGE = 'keelson0';
export const DEFAULT_NETWORK = 'keelson';

export interface PodNetworkOptions {
  /** containerd's CNI conf_dir. */
  confDir: string;
  /** The node's pod CIDR (Node.spec.podCIDR), e.g. 10.244.1.0/24. */
  podCIDR: string;
  /** The bridge the pods' veths join (default keelson0; at most 15 characters). */
  bridge?: string;
  /** The CNI network name (default keelson). */
  network?: string;
  /** Where host-local keeps its allocations (default <confDir>/../networks, beside the conf dir,
   * so two nodes on one machine never share them; the plugin's own default is /var/lib/cni). */
  ipamDataDir?: string;
  /** Masquerade pod traffic leaving the pod subnet (default true). */
  ipMasq?: boolean;
  mtu?: number;
}

const ipamDir = (o: { confDir: string; ipamDataDir?: string }) => o.ipamDataDir ?? join(dirname(o.confDir), 'networks');

/** The conflist for one node (an object: JSON.stringify it to write). */
export function podNetworkConflist(o: PodNetworkOptions): Record<string, unknown> {
  const bridge = o.bridge ?? DEFAULT_BRIDGE;
  if (bridge.length > 15) throw new Error(`bridge name "${bridge}" is longer than 15 characters`);
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(o.podCIDR)) throw new Error(`pod CIDR "${o.podCIDR}": expected an IPv4 CIDR such as 10.244.1.0/24`);
  return {
    cniVersion: '1.0.0',
    name: o.network ?? DEFAULT_NETWORK,
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        ipMasq: o.ipMasq ?? true,
        hairpinMode: true,
        ...(o.mtu ? { mtu: o.mtu } : {}),
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: o.podCIDR }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: ipamDir(o),
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

/** Writes <confDir>/10-keelson.conflist (atomically, only when it changed); true if written.
 * containerd's CRI plugin watches the directory and picks it up without a restart. */
export function writePodNetworkConfig(o: PodNetworkOptions): boolean {
  const text = JSON.stringify(podNetworkConflist(o), null, 2) + '\n';
  const file = join(o.confDir, CNI_CONFLIST);
  mkdirSync(o.confDir, { recursive: true });
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  // The temporary file inside the watched directory: containerd 1.6 reloads on write, rename and
  // remove events there but ignores create events, so a file moved in from outside is not seen;
  // the rename of this one is (the write before it makes it log a reload error, harmless).
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  return true;
}

/** Sets what the host needs for routed pod traffic; returns the settings it changed. */
export function enableHostForwarding(): string[] {
  const changed: string[] = [];
  for (const [key, want] of [
    ['net/ipv4/ip_forward', '1'],
    ['net/bridge/bridge-nf-call-iptables', '1'],
  ] as const) {
    const f = `/proc/sys/${key}`;
    try {
      if (readFileSync(f, 'utf8').trim() !== want) {
        writeFileSync(f, want);
        changed.push(`${key.replaceAll('/', '.')}=${want}`);
      }
    } catch {
      // bridge-nf-call-iptables exists only with br_netfilter; nothing to do without it
    }
  }
  return changed;
}

/** Removes the pod network of a node that leaves: the conflist, the IPAM state, and the bridge
 * once no pod interface is attached to it any more (another node's pods on this machine may still
 * use a bridge of the same name: those are left alone unless `force`). Returns whether the bridge
 * is gone. */
export function removePodNetwork(o: { confDir: string; bridge?: string; ipamDataDir?: string; network?: string; force?: boolean }): boolean {
  const bridge = o.bridge ?? DEFAULT_BRIDGE;
  const ports = spawnSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' });
  const inUse = ports.status === 0 && ports.stdout.trim() !== '';
  if (!inUse || o.force) spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  rmSync(join(o.confDir, CNI_CONFLIST), { force: true });
  const ipam = join(ipamDir(o), o.network ?? DEFAULT_NETWORK);
  rmSync(ipam, { recursive: true, force: true });
  return spawnSync('ip', ['link', 'show', bridge], { stdio: 'ignore' }).status !== 0;
}
