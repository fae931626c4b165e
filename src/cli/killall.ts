// `keelson killall --data-dir D` (k3s-killall.sh's job): stop every container a node of this data
// dir runs. A stopped `keelson server`/`keelson agent` leaves its containers running, as a
// kubelet does (they are adopted on the next start); this removes them for good: each pod
// sandbox through the CRI (so CNI releases its address, veth and rules), leftover tasks killed,
// mounts under the data dir undone, and the node's containerd stopped. As root it also removes
// the service proxy's rules from this network namespace (the `keelson` nftables table, KEELSON-*
// iptables chains), which a proxy stopped with SIGKILL leaves behind, and, once no pod is attached
// to it, the node's pod network: its CNI bridge (k3s-killall.sh deletes cni0), masquerade rules,
// conflist and address leases.
import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CNI_CONFLIST, removePodNetwork } from '../kubelet/runtime/cri/cni-config.js';
import { containerdAvailable, purgeContainerd } from '../kubelet/runtime/cri/containerd.js';
import { removePodMasquerade } from '../kubelet/runtime/process/pod-masquerade.js';
import { purgePodNetworks } from '../kubelet/runtime/process/pod-network.js';
import { removeProxyLeftovers } from '../proxy/leftovers.js';

export function register(program: Command): void {
  program
    .command('killall')
    .description("stop and remove every container of this node's containerd (<data-dir>/containerd), as k3s-killall.sh")
    .option('--data-dir <dir>', 'the data dir of the keelson server or agent', '.keelson')
    .action(async (o: { dataDir: string }) => {
      if (process.getuid?.() === 0) {
        const r = await removeProxyLeftovers();
        if (r.nftTable || r.iptablesChains) console.log(`removed the service proxy's rules (${[r.nftTable && 'nftables table keelson', r.iptablesChains && `${r.iptablesChains} iptables chains`].filter(Boolean).join(', ')})`);
      }
      // Process-runtime pods with a network namespace (the default as root) that a kubelet killed with
      // SIGKILL left: the processes in them, their addresses and rules, the namespaces.
      const kubeletDir = join(resolve(o.dataDir), 'kubelet');
      if (process.getuid?.() === 0 && existsSync(kubeletDir)) {
        const n = await purgePodNetworks(kubeletDir);
        if (n) console.log(`removed ${n} process-runtime pod networks of ${kubeletDir}`);
      }
      const dataDir = join(resolve(o.dataDir), 'containerd');
      if (!existsSync(dataDir)) {
        console.log(`nothing to do: no ${dataDir}`);
        return;
      }
      const avail = containerdAvailable();
      if (!avail.ok) {
        console.error(`error: ${avail.reason}`);
        process.exitCode = 1;
        return;
      }
      const cniConfDir = join(dataDir, 'cni', 'net.d');
      const bridge = conflistBridge(cniConfDir);
      await purgeContainerd({ dataDir, cniConfDir });
      const shims = killShims(dataDir);
      console.log(`removed every container of ${dataDir}${shims ? ` (${shims} leftover shims killed)` : ''}`);
      if (bridge && process.getuid?.() === 0) {
        if (removePodNetwork({ confDir: cniConfDir, bridge })) {
          await removePodMasquerade(bridge);
          console.log(`removed the pod network (bridge ${bridge})`);
        } else console.log(`kept bridge ${bridge}: pods of another node on this machine are attached to it`);
      }
    });
}

/** The bridge named by the node's CNI conflist, if it has one. */
function conflistBridge(confDir: string): string | undefined {
  try {
    const conf = JSON.parse(readFileSync(join(confDir, CNI_CONFLIST), 'utf8')) as { plugins?: Array<{ type?: string; bridge?: string }> };
    return conf.plugins?.find((p) => p.type === 'bridge')?.bridge;
  } catch {
    return undefined;
  }
}

/** Shims of this containerd still alive after the purge: their containers (children) and then
 * the shims are killed. Returns how many shims there were. */
function killShims(dataDir: string): number {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const cmd = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      return [];
    }
  };
  const ppid = (pid: string) => {
    try {
      return /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    } catch {
      return undefined;
    }
  };
  const shims = procs.filter((p) => {
    const c = cmd(p);
    return c[0]?.endsWith('containerd-shim-runc-v2') && c.some((a) => a.startsWith(`${dataDir}/`));
  });
  const kill = (pid: string) => {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  for (const s of shims) for (const p of procs) if (ppid(p) === s) kill(p);
  for (const s of shims) kill(s);
  return shims.length;
}
