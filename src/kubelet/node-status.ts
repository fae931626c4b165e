// The Node object a kubelet registers and the status it reports (kubelet's nodestatus setters):
// capacity/allocatable (from the host, or fixed values for a simulated node), addresses,
// nodeInfo, the well-known labels, and the four conditions with Kubernetes' reasons/messages.
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { KObject } from '../client/rest-client.js';
import { notReadyMessage } from './runtime-readiness.js';

export const kubeletVersion = 'v1.32.0-keelson';

export interface NodeConfig {
  name: string;
  /** Extra labels (--node-labels). */
  labels?: Record<string, string>;
  /** --register-with-taints. */
  taints?: Array<{ key: string; value?: string; effect: string }>;
  maxPods: number;
  /** Fixed fake capacity (simulated nodes) instead of the host's. */
  simulated?: boolean;
  /** Directory whose filesystem is the node's ephemeral storage. */
  rootDir: string;
  internalIP: string;
  runtimeName: string;
  runtimeVersion: string;
  podCIDR?: string;
  /** The kubelet server's port (status.daemonEndpoints.kubeletEndpoint.Port; default 10250). */
  kubeletPort?: number;
}

const goArch = (): string => ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' })[os.arch()] ?? os.arch();
const goOs = (): string => (os.platform() === 'win32' ? 'windows' : os.platform());

/** The first non-internal IPv4 address of the host (127.0.0.1 if none). */
export function hostIPv4(): string {
  for (const addrs of Object.values(os.networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

function osImage(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

let cachedOsImage: string | undefined;

export function capacity(cfg: NodeConfig): Record<string, string> {
  if (cfg.simulated) return { cpu: '32', memory: '256Gi', 'ephemeral-storage': '1Ti', pods: String(cfg.maxPods), 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' };
  let storage = 0;
  try {
    const s = statfsSync(cfg.rootDir);
    storage = Number(s.blocks) * Number(s.bsize);
  } catch {
    /* unknown: report 0 */
  }
  return {
    cpu: String(os.cpus().length),
    memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    'ephemeral-storage': `${Math.floor(storage / 1024)}Ki`,
    pods: String(cfg.maxPods),
  };
}

/** The four kubelet conditions; transition times kept from `previous` while the status holds.
 * `notReady`: what keeps the node from being Ready (runtime-readiness.ts); Ready is False with
 * reason KubeletNotReady while there is any. */
export function nodeConditions(previous: KObject[] | undefined, now: string, notReady: string[] = []): KObject[] {
  const want: Array<[string, string, string, string]> = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    notReady.length ? ['Ready', 'False', 'KubeletNotReady', notReadyMessage(notReady)] : ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ];
  return want.map(([type, status, reason, message]) => {
    const prev = previous?.find((c) => c.type === type);
    const lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : now;
    return { type, status, lastHeartbeatTime: now, lastTransitionTime, reason, message };
  });
}

export function nodeLabels(cfg: NodeConfig): Record<string, string> {
  const arch = goArch();
  const o = goOs();
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': o,
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': cfg.name,
    'kubernetes.io/os': o,
    ...(cfg.simulated ? { type: 'kwok', 'node.keelson.io/simulated': 'true' } : {}),
    ...cfg.labels,
  };
}

/** The first readable, non-empty file of `paths`, trimmed ('' when none). */
function firstFile(paths: string[]): string {
  for (const p of paths) {
    try {
      const v = readFileSync(p, 'utf8').trim();
      if (v) return v;
    } catch {
      /* next */
    }
  }
  return '';
}

let hostIds: { machineID: string; systemUUID: string; bootID: string } | undefined;
/** nodeInfo's host identities, as the kubelet reads them (cadvisor's machine info). */
export function readHostIds(): { machineID: string; systemUUID: string; bootID: string } {
  return (hostIds ??= {
    machineID: firstFile(['/etc/machine-id', '/var/lib/dbus/machine-id']),
    systemUUID: firstFile(['/sys/class/dmi/id/product_uuid', '/proc/device-tree/system-id', '/proc/device-tree/vm,uuid']),
    bootID: firstFile(['/proc/sys/kernel/random/boot_id']),
  });
}

/** Status fields other than conditions (capacity, addresses, nodeInfo...). */
export function nodeStatusBody(cfg: NodeConfig, conditions: KObject[]): KObject {
  const cap = capacity(cfg);
  cachedOsImage ??= cfg.simulated ? 'keelson simulated' : osImage();
  return {
    capacity: cap,
    allocatable: cap,
    conditions,
    addresses: [
      { type: 'InternalIP', address: cfg.internalIP },
      { type: 'Hostname', address: cfg.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort ?? 10250 } },
    nodeInfo: {
      // Simulated nodes have no host of their own.
      ...(cfg.simulated ? { machineID: '', systemUUID: '', bootID: '' } : readHostIds()),
      kernelVersion: cfg.simulated ? 'keelson-simulated' : os.release(),
      osImage: cfg.simulated ? 'keelson simulated' : cachedOsImage,
      containerRuntimeVersion: `${cfg.runtimeName}://${cfg.runtimeVersion}`,
      kubeletVersion,
      kubeProxyVersion: kubeletVersion,
      operatingSystem: goOs(),
      architecture: goArch(),
    },
  };
}

/** The Node to create at registration. */
export function newNodeObject(cfg: NodeConfig, now: string, notReady: string[] = []): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: cfg.name, labels: nodeLabels(cfg), annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: { ...(cfg.taints?.length ? { taints: cfg.taints } : {}), ...(cfg.podCIDR ? { podCIDR: cfg.podCIDR, podCIDRs: [cfg.podCIDR] } : {}) },
    status: nodeStatusBody(cfg, nodeConditions(undefined, now, notReady)),
  };
}

/** Parse `k=v:Effect,...` (--register-with-taints). */
export function parseTaints(s: string | undefined): NodeConfig['taints'] {
  if (!s) return [];
  return s
    .split(',')
    .filter(Boolean)
    .map((t) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t.trim());
      if (!m) throw new Error(`invalid taint "${t}": expected key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
      return { key: m[1], ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3] };
    });
}

/** Parse `k=v,...` (--node-labels). */
export function parseLabels(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (s ?? '').split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`invalid label "${kv}": expected key=value`);
    out[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return out;
}
