// A network namespace per pod for the process runtime (the default as root with the CNI plugins;
// kubelet --pod-netns=false turns it off): the sandbox gets a named netns
// `keelson-<pod uid prefix>` (ip netns add, under /var/run/netns), its loopback up, and eth0 from
// the node's pod network: the same CNI configuration list the cri runtime gives containerd
// (cri/cni-config.ts: bridge keelson0 with hairpin, host-local IPAM over the node's pod CIDR,
// portmap for pods with hostPorts), run by cni.ts as libcni would; the host side of the veth is
// renamed keelson-<uid prefix>. Masquerading is one node-level chain (pod-masquerade.ts) rather
// than the bridge plugin's per-pod rules. The pod's processes,
// exec and port-forward then run inside the namespace (nsenter --net). Teardown: CNI DEL (releases
// the address, the veth and the portmap/masquerade rules), then the netns is deleted; close()
// tears down every sandbox and removes the bridge once no pod of any node uses it. Each attached
// sandbox is also recorded in <rootDir>/cni/sandboxes/<id>.json, so what a kubelet killed with
// SIGKILL left behind (namespaces, the processes still in them, addresses, rules) is removed by
// the next kubelet on the same root dir before its first pod, or by `keelson killall`
// (purgePodNetworks).
//
// Divergences: the IPAM state and the conflist (written for inspection) live under the
// kubelet's root dir; process pods are not adopted across a kubelet restart (they are re-created).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enableHostForwarding, podNetworkConflist, removePodNetwork, writePodNetworkConfig, CNI_CONFLIST, DEFAULT_BRIDGE } from '../cri/cni-config.js';
import type { PodSandboxConfig } from '../types.js';
import { logger } from '../../../util/log.js';
import { cniAdd, cniDel, resultIPv4, type CniConflist, type CniResult, type CniRuntimeConf } from './cni.js';
import { ensurePodMasquerade, removePodMasquerade } from './pod-masquerade.js';

export interface PodNetworkOptions {
  /** The kubelet's root dir: the CNI conflist and IPAM state go under <rootDir>/cni. */
  rootDir: string;
  /** The node's pod CIDR (kubelet --pod-cidr, else Node.spec.podCIDR); undefined: not known yet. */
  podCIDR: () => Promise<string | undefined>;
  /** Bridge of the pods' veths (default keelson0, as the cri runtime). */
  bridge?: string;
  /** The CNI plugin binaries (default /usr/lib/cni). */
  cniBinDir?: string;
}

interface Attached {
  netns: string;
  ip: string;
  rt: CniRuntimeConf;
  list: CniConflist;
  result: CniResult;
}

const NETNS_DIR = '/var/run/netns';
const CNI_BIN_DIR = '/usr/lib/cni';

/** The plugins the pod network runs (cri/cni-config.ts' list: bridge with host-local IPAM,
 * portmap); the loopback interface is brought up with `ip` directly. */
export const CNI_PLUGINS = ['bridge', 'host-local', 'portmap'] as const;

/** The plugins of CNI_PLUGINS missing from `binDir` ([] when all are there). */
export function missingCniPlugins(binDir = CNI_BIN_DIR): string[] {
  return CNI_PLUGINS.filter((p) => !existsSync(join(binDir, p)));
}

const ip = (...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile('ip', args, { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout))),
  );

/** The netns name of a pod: keelson-<first 12 hex digits of its uid>. */
export const podNetnsName = (uid: string): string => `keelson-${uid.replace(/[^0-9a-f]/gi, '').slice(0, 12).toLowerCase() || 'pod'}`;

/** The host side of a pod's veth: keelson-<first 7 hex digits of its uid> (15 characters at
 * most), so `ip link` shows whose it is; the bridge plugin itself names it veth<random>. */
export const podVethName = (uid: string): string => `keelson-${uid.replace(/[^0-9a-f]/gi, '').slice(0, 7).toLowerCase() || 'pod'}`;

/** Renames the host veth the bridge plugin made (a live rename; older kernels want the link
 * down for it). Best effort: the CNI DEL finds the pair through the pod's eth0 either way. */
async function renameHostVeth(result: CniResult, bridge: string, name: string): Promise<void> {
  const host = result.interfaces?.find((i) => !i.sandbox && i.name !== bridge);
  if (!host || host.name === name) return;
  try {
    await ip('link', 'set', 'dev', host.name, 'name', name);
  } catch {
    try {
      await ip('link', 'set', 'dev', host.name, 'down');
      await ip('link', 'set', 'dev', host.name, 'name', name, 'up');
    } catch (e) {
      logger('kubelet').debug({ err: (e as Error).message, veth: host.name }, 'keeping the bridge plugin\'s veth name');
      return;
    }
  }
  host.name = name;
}

/** The argv that runs `argv` inside the network namespace `netns` (a path). nsenter execs the
 * command in place (no fork for a network namespace), so the pid stays the command's own. */
export const inNetns = (netns: string | undefined, argv: string[]): string[] => (netns ? ['nsenter', `--net=${netns}`, '--', ...argv] : argv);

export class ProcessPodNetwork {
  private readonly attached = new Map<string, Attached>();
  private forwarding = false;
  private masquerading?: string;

  constructor(private readonly o: PodNetworkOptions) {}

  private get confDir(): string {
    return join(this.o.rootDir, 'cni', 'net.d');
  }

  private get ipamDataDir(): string {
    return join(this.o.rootDir, 'cni', 'networks');
  }

  private recovered?: Promise<unknown>;

  /** Creates the pod's netns and runs CNI ADD in it; resolves with its IP and netns path. */
  async setUp(sandboxId: string, config: PodSandboxConfig): Promise<{ ip: string; netns: string }> {
    // First, whatever a previous kubelet on this root dir left attached.
    await (this.recovered ??= purgeSandboxes(this.o.rootDir, this.o.cniBinDir).then((n) => n && logger('kubelet').info({ sandboxes: n }, 'removed the pod networks a previous kubelet on this root dir left')));
    const podCIDR = await this.o.podCIDR();
    if (!podCIDR) throw new Error(`network is not ready: no pod CIDR for node "${config.nodeName}" yet (kubelet --pod-cidr, or Node.spec.podCIDR from the controller manager's node IPAM)`);
    const net = { confDir: this.confDir, podCIDR, bridge: this.o.bridge ?? DEFAULT_BRIDGE, ipamDataDir: this.ipamDataDir };
    // portmap only for a pod with hostPorts: with no mappings it does nothing but costs an exec
    // (about a third of an ADD); DEL runs the same list as the ADD did (kept in the record).
    // Masquerading is the node's (pod-masquerade.ts), one chain for all its pods.
    const full = podNetworkConflist({ ...net, ipMasq: false }) as unknown as CniConflist;
    const list = config.portMappings?.length ? full : { ...full, plugins: full.plugins.filter((p) => p.type !== 'portmap') };
    mkdirSync(this.confDir, { recursive: true });
    writePodNetworkConfig(net);
    if (!this.forwarding) {
      enableHostForwarding();
      this.forwarding = true;
    }
    if (this.masquerading !== podCIDR) {
      await ensurePodMasquerade(net.bridge, podCIDR);
      this.masquerading = podCIDR;
    }
    const name = podNetnsName(config.uid);
    const netns = join(NETNS_DIR, name);
    // A leftover of the same pod (a sandbox re-created after a failure) is replaced.
    if (existsSync(netns)) await ip('netns', 'del', name).catch(() => undefined);
    await ip('netns', 'add', name);
    const rt: CniRuntimeConf = {
      containerId: sandboxId,
      netns,
      ifName: 'eth0',
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: config.namespace, K8S_POD_NAME: config.name, K8S_POD_INFRA_CONTAINER_ID: sandboxId, K8S_POD_UID: config.uid },
      capabilities: { portMappings: (config.portMappings ?? []).map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol.toLowerCase(), ...(p.hostIP ? { hostIP: p.hostIP } : {}) })) },
    };
    try {
      await ip('-n', name, 'link', 'set', 'lo', 'up');
      const result = await cniAdd(list, rt, this.o.cniBinDir ?? CNI_BIN_DIR);
      await renameHostVeth(result, net.bridge, podVethName(config.uid));
      const addr = resultIPv4(result);
      if (!addr) throw new Error(`the CNI result has no IPv4 address: ${JSON.stringify(result)}`);
      const a = { netns, ip: addr, rt, list, result };
      this.attached.set(sandboxId, a);
      mkdirSync(stateDir(this.o.rootDir), { recursive: true });
      writeFileSync(statePath(this.o.rootDir, sandboxId), JSON.stringify(a));
      return { ip: addr, netns };
    } catch (e) {
      await cniDel(list, rt, this.o.cniBinDir ?? CNI_BIN_DIR).catch(() => undefined);
      await ip('netns', 'del', name).catch(() => undefined);
      throw e;
    }
  }

  /** CNI DEL and netns delete for a sandbox (nothing when it has no namespace). */
  async tearDown(sandboxId: string): Promise<void> {
    const a = this.attached.get(sandboxId);
    if (!a) return;
    this.attached.delete(sandboxId);
    await release(a, this.o.cniBinDir);
    rmSync(statePath(this.o.rootDir, sandboxId), { force: true });
  }

  /** The netns path of a sandbox, when it has one. */
  netnsOf(sandboxId: string): string | undefined {
    return this.attached.get(sandboxId)?.netns;
  }

  /** Tears down every sandbox still attached, then the bridge once nothing uses it any more. */
  async close(): Promise<void> {
    await this.recovered;
    await Promise.all([...this.attached.keys()].map((id) => this.tearDown(id).catch(() => undefined)));
    if (!this.forwarding) return;
    const bridge = this.o.bridge ?? DEFAULT_BRIDGE;
    if (removePodNetwork({ confDir: this.confDir, bridge, ipamDataDir: this.ipamDataDir })) await removePodMasquerade(bridge);
  }
}

const stateDir = (rootDir: string) => join(rootDir, 'cni', 'sandboxes');
const statePath = (rootDir: string, sandboxId: string) => join(stateDir(rootDir), `${sandboxId}.json`);

/** CNI DEL, then the namespace goes (after killing what still runs in it). */
async function release(a: Pick<Attached, 'netns' | 'rt' | 'list' | 'result'>, cniBinDir = CNI_BIN_DIR): Promise<void> {
  const name = a.netns.slice(NETNS_DIR.length + 1);
  try {
    await cniDel(a.list, a.rt, cniBinDir, a.result);
  } finally {
    const pids = await ip('netns', 'pids', name).catch(() => '');
    for (const pid of pids.split('\n').filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await ip('netns', 'del', name).catch(() => undefined);
  }
}

/** Releases every sandbox network recorded under rootDir; returns how many there were. */
async function purgeSandboxes(rootDir: string, cniBinDir?: string): Promise<number> {
  const dir = stateDir(rootDir);
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    try {
      await release(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Attached, cniBinDir);
      n++;
    } catch (e) {
      // The namespace is gone anyway (release's finally); what CNI could not undo is logged.
      logger('kubelet').warn({ err: (e as Error).message, record: f }, 'releasing a leftover pod network');
    }
    rmSync(join(dir, f), { force: true });
  }
  return n;
}

/** `keelson killall` for the process runtime: every pod network a kubelet on rootDir left (its
 * processes killed, CNI DEL, netns deleted), then the bridge once unused. Returns how many. */
export async function purgePodNetworks(rootDir: string, o: { bridge?: string; cniBinDir?: string } = {}): Promise<number> {
  const n = await purgeSandboxes(rootDir, o.cniBinDir);
  const confDir = join(rootDir, 'cni', 'net.d');
  if (!existsSync(join(confDir, CNI_CONFLIST))) return n;
  // The bridge this kubelet used is in the conflist it wrote.
  let bridge = o.bridge;
  try {
    bridge ??= (JSON.parse(readFileSync(join(confDir, CNI_CONFLIST), 'utf8')) as { plugins?: Array<{ bridge?: string }> }).plugins?.[0]?.bridge;
  } catch {
    /* unreadable: the default */
  }
  if (removePodNetwork({ confDir, bridge: bridge ?? DEFAULT_BRIDGE, ipamDataDir: join(rootDir, 'cni', 'networks') })) await removePodMasquerade(bridge ?? DEFAULT_BRIDGE);
  return n;
}
