// Runs a CNI network configuration list against a network namespace, as libcni does for
// containerd's CRI plugin (the CNI spec 1.0 "plugin execution protocol"): each plugin binary of the
// list is executed in order for ADD (its config on stdin: the plugin's object plus the list's
// cniVersion and name, the previous plugin's result as prevResult, and runtimeConfig for the
// capabilities it declares, e.g. portMappings), and in reverse order for DEL (with the cached ADD
// result as prevResult). Parameters go in CNI_* environment variables. A plugin that fails prints
// an error object ({code, msg, details}) on stdout and exits non-zero.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface CniRuntimeConf {
  /** CNI_CONTAINERID: the sandbox id (host-local keys its allocations by it). */
  containerId: string;
  /** CNI_NETNS: path of the network namespace (e.g. /var/run/netns/NAME). */
  netns: string;
  /** CNI_IFNAME: the interface created in the namespace (eth0). */
  ifName: string;
  /** CNI_ARGS pairs (K8S_POD_NAMESPACE, K8S_POD_NAME, ... as the CRI plugin passes them). */
  args?: Record<string, string>;
  /** Capability arguments for plugins that declare them (runtimeConfig). */
  capabilities?: { portMappings?: Array<{ hostPort: number; containerPort: number; protocol: string; hostIP?: string }> };
}

/** A CNI result (spec 1.0): interfaces, ips ({address: "10.244.0.5/24", gateway}), routes, dns. */
export interface CniResult {
  cniVersion?: string;
  interfaces?: Array<{ name: string; mac?: string; sandbox?: string }>;
  ips?: Array<{ address: string; gateway?: string; interface?: number }>;
  routes?: Array<{ dst: string; gw?: string }>;
  dns?: Record<string, unknown>;
}

export class CniError extends Error {}

interface Conflist {
  cniVersion: string;
  name: string;
  plugins: Array<Record<string, unknown> & { type: string; capabilities?: Record<string, boolean> }>;
}

function pluginConfig(list: Conflist, plugin: Conflist['plugins'][number], rt: CniRuntimeConf, prevResult: CniResult | undefined): string {
  const { capabilities, ...rest } = plugin;
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, on] of Object.entries(capabilities ?? {})) {
    const v = (rt.capabilities as Record<string, unknown> | undefined)?.[cap];
    if (on && v !== undefined) runtimeConfig[cap] = v;
  }
  return JSON.stringify({ ...rest, cniVersion: list.cniVersion, name: list.name, ...(Object.keys(runtimeConfig).length ? { runtimeConfig } : {}), ...(prevResult ? { prevResult } : {}) });
}

function runPlugin(binDir: string, command: 'ADD' | 'DEL', type: string, config: string, rt: CniRuntimeConf): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: rt.containerId,
    CNI_NETNS: rt.netns,
    CNI_IFNAME: rt.ifName,
    CNI_PATH: binDir,
    ...(rt.args ? { CNI_ARGS: Object.entries(rt.args).map(([k, v]) => `${k}=${v}`).join(';') } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = execFile(join(binDir, type), [], { env, timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      let msg = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `plugin "${type}" not found in ${binDir}` : stderr.trim() || err.message;
      try {
        const e = JSON.parse(stdout) as { msg?: string; details?: string };
        if (e.msg) msg = e.details ? `${e.msg}: ${e.details}` : e.msg;
      } catch {
        /* no error object */
      }
      reject(new CniError(`plugin type="${type}" failed (${command.toLowerCase()}): ${msg}`));
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(config);
  });
}

/** ADD: every plugin in order; resolves with the last result. */
export async function cniAdd(list: Conflist, rt: CniRuntimeConf, binDir: string): Promise<CniResult> {
  let result: CniResult | undefined;
  for (const p of list.plugins) {
    const out = await runPlugin(binDir, 'ADD', p.type, pluginConfig(list, p, rt, result), rt);
    result = out.trim() ? (JSON.parse(out) as CniResult) : result;
  }
  return result ?? {};
}

/** DEL: every plugin in reverse order, all of them even when one fails (the first error is
 * thrown at the end). DEL of what is already gone succeeds (the spec asks plugins for that). */
export async function cniDel(list: Conflist, rt: CniRuntimeConf, binDir: string, prevResult?: CniResult): Promise<void> {
  let first: Error | undefined;
  for (const p of [...list.plugins].reverse()) {
    try {
      await runPlugin(binDir, 'DEL', p.type, pluginConfig(list, p, rt, prevResult), rt);
    } catch (e) {
      first ??= e as Error;
    }
  }
  if (first) throw first;
}

/** The first IPv4 address of a result, without its prefix length. */
export function resultIPv4(r: CniResult): string | undefined {
  return r.ips?.map((i) => i.address.split('/')[0]).find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
}

export type { Conflist as CniConflist };
