// The iptables proxier (kube-proxy's iptables mode): renders the KEELSON-* chains of the filter
// and nat tables and loads them with one `iptables-restore --noflush` per sync (our chains are
// flushed and rewritten; nothing else in the tables is touched). The first sync, the first after
// a failed one, and one every `jumpCheckMs` (30 s) also read `iptables-save` and replace the jump
// rules in the built-in chains within the same input: they are added once (a restarted proxy
// does not stack duplicates), and put back after someone flushed the built-in chains. Cleanup removes the jumps and every KEELSON-* chain, whoever left them (also what
// `keelson killall` runs). Stale UDP conntrack entries are cleared after each sync
// (stale-udp.ts). Tools run through an injectable `run`, so tests can program a network
// namespace of their own.
// Diverges from kube-proxy: IPv4 only (see render.ts).
import type { Logger } from 'pino';
import { exec, which, type Exec } from '../exec.js';
import type { Proxier, SyncResult } from '../proxier.js';
import type { ServicePort } from '../service-port.js';
import { StaleUdpEntries } from '../stale-udp.js';
import { cleanupScript, findLeftovers } from './jumps.js';
import { renderRestore, type IptablesPrevious, type IptablesRenderOptions, type JumpUpdate } from './render.js';

export interface IptablesOptions extends IptablesRenderOptions {
  log: Logger;
  /** How iptables-save/-restore and conntrack are run (default: directly). */
  run?: Exec;
  /** How often a sync re-reads the tables to repair the jump rules (default 30 s). */
  jumpCheckMs?: number;
}

export function iptablesAvailable(): boolean {
  return which('iptables-restore') !== undefined && which('iptables-save') !== undefined;
}

const PER_SERVICE = /^KEELSON-(SVC|SVL|EXT|SEP)-/;
const firstLines = (s: string) => s.trim().split('\n').slice(0, 6).join(' | ');

async function save(run: Exec): Promise<string> {
  const r = await run('iptables-save', []);
  if (r.code !== 0) throw new Error(`iptables-save failed: ${firstLines(r.stderr)}`);
  return r.stdout;
}

async function restore(run: Exec, input: string): Promise<void> {
  const r = await run('iptables-restore', ['-w', '5', '--noflush'], input);
  if (r.code !== 0) throw new Error(`iptables-restore failed: ${firstLines(r.stderr)}`);
}

/** Remove every KEELSON-* chain and the jumps into them (kube-proxy's CleanupLeftovers). Returns how many chains went. */
export async function cleanupIptables(run: Exec = exec): Promise<number> {
  const left = findLeftovers(await save(run));
  const script = cleanupScript(left);
  if (script) await restore(run, script);
  return left.filter.chains.length + left.nat.chains.length;
}

export class IptablesProxier implements Proxier {
  readonly mode = 'iptables' as const;
  private prev?: IptablesPrevious;
  private jumpsCheckedAt = 0;
  private readonly staleUdp = new StaleUdpEntries();
  private readonly run: Exec;
  private readonly conntrack: string | undefined;

  constructor(private readonly opts: IptablesOptions) {
    this.run = opts.run ?? exec;
    // Through an injected runner the tool is looked up where it runs.
    this.conntrack = opts.run ? 'conntrack' : which('conntrack');
  }

  async sync(ports: ServicePort[]): Promise<SyncResult> {
    let jumps: JumpUpdate | undefined;
    let prev = this.prev;
    const checkJumps = !this.prev || Date.now() - this.jumpsCheckedAt >= (this.opts.jumpCheckMs ?? 30_000);
    if (checkJumps) {
      const left = findLeftovers(await save(this.run));
      jumps = { filter: left.filter.jumps, nat: left.nat.jumps };
      // Per-service chains a previous run left go in the same input.
      prev = { chains: new Set([...(this.prev?.chains ?? []), ...left.nat.chains.filter((ch) => PER_SERVICE.test(ch))]) };
    }
    const r = renderRestore(ports, this.opts, prev, jumps);
    try {
      await restore(this.run, r.script);
    } catch (e) {
      this.prev = undefined;
      this.opts.log.debug({ script: r.script }, 'iptables-restore input');
      throw e;
    }
    this.prev = { chains: r.chains };
    if (checkJumps) this.jumpsCheckedAt = Date.now();
    await this.staleUdp.clear(ports, this.run, this.conntrack);
    return { rules: r.rules, elements: 0 };
  }

  async cleanup(): Promise<void> {
    this.prev = undefined;
    await cleanupIptables(this.run);
  }
}
