// The nftables proxier: renders the whole table and loads it with one `nft -f -` (one kernel
// transaction: all of it applies or none). After a failed load the next sync recreates the
// table from scratch. Stale UDP conntrack entries are cleared after each sync (stale-udp.ts).
import type { Logger } from 'pino';
import { exec, which } from '../exec.js';
import type { Proxier, SyncResult } from '../proxier.js';
import type { ServicePort } from '../service-port.js';
import { StaleUdpEntries } from '../stale-udp.js';
import { renderTable, type PreviousState, type RenderOptions } from './render.js';

export interface NftablesOptions extends RenderOptions {
  log: Logger;
}

export function nftAvailable(): boolean {
  return which('nft') !== undefined;
}

export async function deleteTable(table: string): Promise<void> {
  const r = await exec('nft', ['delete', 'table', 'ip', table]);
  if (r.code !== 0 && !/No such file or directory/.test(r.stderr)) throw new Error(`nft delete table ip ${table}: ${r.stderr.trim()}`);
}

export class NftablesProxier implements Proxier {
  readonly mode = 'nftables' as const;
  private prev?: PreviousState;
  private readonly staleUdp = new StaleUdpEntries();
  private readonly conntrack = which('conntrack');

  constructor(private readonly opts: NftablesOptions) {}

  async sync(ports: ServicePort[]): Promise<SyncResult> {
    const r = renderTable(ports, this.opts, this.prev);
    const res = await exec('nft', ['-f', '-'], r.script);
    if (res.code !== 0) {
      this.prev = undefined;
      this.opts.log.debug({ script: r.script }, 'nft input');
      throw new Error(`nft -f failed: ${res.stderr.trim().split('\n').slice(0, 6).join(' | ')}`);
    }
    this.prev = { chains: r.chains, sets: r.sets };
    await this.staleUdp.clear(ports, exec, this.conntrack);
    return { rules: r.rules, elements: r.elements };
  }

  async cleanup(): Promise<void> {
    this.prev = undefined;
    await deleteTable(this.opts.table);
  }
}
