// Masquerading of the process runtime's pod traffic, once per node instead of once per pod: the
// bridge plugin's ipMasq makes a nat chain and three rules per pod on ADD and removes them on DEL
// (about half of each ADD and DEL: several iptables runs). Here the conflist runs with ipMasq off
// and the node keeps one chain, as flannel does for its whole pod CIDR:
//
//   -t nat -A POSTROUTING -s <podCIDR> -m comment --comment "keelson pods on <bridge>" -j KEELSON-MASQ-<bridge>
//   -t nat -A KEELSON-MASQ-<bridge> -d <podCIDR> -j ACCEPT
//   -t nat -A KEELSON-MASQ-<bridge> ! -d 224.0.0.0/4 -j MASQUERADE
//
// the same rules the bridge plugin writes per pod (pod to pod on the node keeps its address;
// everything else leaving the pod CIDR, but multicast, takes the node's). Added before the first
// pod, idempotent across kubelet restarts, removed with the bridge (close(), keelson killall).
import { execFile } from 'node:child_process';

const iptables = (...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile('iptables', ['-w', '5', '-t', 'nat', ...args], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`iptables -t nat ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout))),
  );

/** The node's chain for the pods on `bridge` (iptables allows 28 characters). */
export const masqueradeChain = (bridge: string): string => `KEELSON-MASQ-${bridge}`.slice(0, 28);

const jump = (bridge: string, podCIDR: string) => ['POSTROUTING', '-s', podCIDR, '-m', 'comment', '--comment', `keelson pods on ${bridge}`, '-j', masqueradeChain(bridge)];

/** Makes the chain and the POSTROUTING jump for `podCIDR` (nothing when they are there). */
export async function ensurePodMasquerade(bridge: string, podCIDR: string): Promise<void> {
  const chain = masqueradeChain(bridge);
  if (await iptables('-C', ...jump(bridge, podCIDR)).then(() => true, () => false)) return;
  await iptables('-N', chain).catch(() => undefined);
  await iptables('-F', chain);
  await iptables('-A', chain, '-d', podCIDR, '-j', 'ACCEPT');
  await iptables('-A', chain, '!', '-d', '224.0.0.0/4', '-j', 'MASQUERADE');
  await iptables('-A', ...jump(bridge, podCIDR));
}

/** Removes the POSTROUTING jumps to the bridge's chain, then the chain. */
export async function removePodMasquerade(bridge: string): Promise<void> {
  const chain = masqueradeChain(bridge);
  const rules = await iptables('-S', 'POSTROUTING').catch(() => '');
  for (const r of rules.split('\n').filter((l) => l.startsWith('-A POSTROUTING ') && l.endsWith(` -j ${chain}`))) {
    // The rule as iptables printed it, quoted comment included, back into arguments.
    const args = r.slice('-A '.length).match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
    await iptables('-D', ...args).catch(() => undefined);
  }
  await iptables('-F', chain).catch(() => undefined);
  await iptables('-X', chain).catch(() => undefined);
}
