// What a stopped or crashed proxy can leave in the node's network namespace, removed for
// `keelson killall` (kube-proxy --cleanup's job): the nftables table (default `keelson`) and
// every KEELSON-* iptables chain with the jumps into it. Missing tools mean nothing to remove.
import { exec, which, type Exec } from './exec.js';
import { cleanupIptables } from './iptables/proxier.js';

export interface RemovedProxyRules {
  nftTable: boolean;
  iptablesChains: number;
}

export async function removeProxyLeftovers(table = 'keelson', run: Exec = exec): Promise<RemovedProxyRules> {
  const out: RemovedProxyRules = { nftTable: false, iptablesChains: 0 };
  if (which('nft')) {
    const r = await run('nft', ['delete', 'table', 'ip', table]);
    if (r.code === 0) out.nftTable = true;
    else if (!/No such file or directory/.test(r.stderr)) throw new Error(`nft delete table ip ${table}: ${r.stderr.trim()}`);
  }
  if (which('iptables-save') && which('iptables-restore')) out.iptablesChains = await cleanupIptables(run);
  return out;
}
