// The rules in the built-in chains that send traffic into the proxy's chains (kube-proxy's
// iptablesJumpChains), and finding and removing everything of ours from `iptables-save` output
// (kube-proxy's CleanupLeftovers): jumps from built-in chains are deleted, then every KEELSON-*
// chain is flushed and deleted, all in one iptables-restore input.
import { EXTERNAL_SERVICES, FORWARD, POSTROUTING, PREFIX, SERVICES } from './names.js';

export type Table = 'filter' | 'nat';

export interface JumpRule {
  table: Table;
  chain: string;
  /** Matches before the jump (without the comment). */
  match: string;
  target: string;
  comment: string;
}

const NEW = '-m conntrack --ctstate NEW';

/** In the order they should end up at the top of each built-in chain. */
export const JUMPS: JumpRule[] = [
  { table: 'nat', chain: 'PREROUTING', match: '', target: SERVICES, comment: 'keelson service portals' },
  { table: 'nat', chain: 'OUTPUT', match: '', target: SERVICES, comment: 'keelson service portals' },
  { table: 'nat', chain: 'POSTROUTING', match: '', target: POSTROUTING, comment: 'keelson postrouting rules' },
  { table: 'filter', chain: 'INPUT', match: NEW, target: EXTERNAL_SERVICES, comment: 'keelson externally-visible service portals' },
  { table: 'filter', chain: 'FORWARD', match: NEW, target: SERVICES, comment: 'keelson service portals' },
  { table: 'filter', chain: 'FORWARD', match: NEW, target: EXTERNAL_SERVICES, comment: 'keelson externally-visible service portals' },
  { table: 'filter', chain: 'FORWARD', match: '', target: FORWARD, comment: 'keelson forwarding rules' },
  { table: 'filter', chain: 'OUTPUT', match: NEW, target: SERVICES, comment: 'keelson service portals' },
];

/** `-I` lines of one table's jumps, reversed so that inserting them keeps JUMPS' order. */
export function insertJumps(table: Table): string[] {
  return JUMPS.filter((j) => j.table === table)
    .reverse()
    .map((j) => `-I ${j.chain} ${j.match ? `${j.match} ` : ''}-m comment --comment "${j.comment}" -j ${j.target}`);
}

export interface Leftovers {
  /** `-D ...` lines for rules outside our chains that jump into them. */
  jumps: string[];
  /** Our chains in this table. */
  chains: string[];
}

/** Our jumps and chains per table, from `iptables-save` output (all tables or some). */
export function findLeftovers(save: string): Record<Table, Leftovers> {
  const out: Record<Table, Leftovers> = { filter: { jumps: [], chains: [] }, nat: { jumps: [], chains: [] } };
  let table: Table | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      const t = line.slice(1).trim();
      table = t === 'filter' || t === 'nat' ? t : undefined;
      continue;
    }
    if (!table) continue;
    const chainDecl = /^:(\S+) /.exec(line);
    if (chainDecl?.[1].startsWith(PREFIX)) out[table].chains.push(chainDecl[1]);
    const rule = /^-A (\S+) (.*)$/.exec(line);
    if (rule && !rule[1].startsWith(PREFIX) && new RegExp(`(^| )-[jg] ${PREFIX}\\S+( |$)`).test(rule[2])) out[table].jumps.push(`-D ${rule[1]} ${rule[2]}`);
  }
  return out;
}

/** iptables-restore --noflush input that removes every leftover; '' when there is none. */
export function cleanupScript(left: Record<Table, Leftovers>): string {
  const lines: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const { jumps, chains } = left[table];
    if (!jumps.length && !chains.length) continue;
    lines.push(`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...jumps, ...chains.map((c) => `-X ${c}`), 'COMMIT');
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
