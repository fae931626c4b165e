// The host's resolver configuration (/etc/resolv.conf) as the kubelet and CoreDNS read it:
// nameservers, the search list (the last `search` line wins; `domain` is ignored, as the
// kubelet ignores it) and options. `upstreamServers` picks where cluster DNS forwards names
// outside the cluster: loopback stubs (systemd-resolved's 127.0.0.53, a local dnsmasq) are skipped
// when anything else is listed, since pods cannot reach the host's loopback.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export const HOST_RESOLV_CONF = '/etc/resolv.conf';

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) conf.nameservers.push(fields[0]);
    else if (key === 'search') conf.searches = fields.filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    else if (key === 'options') conf.options.push(...fields);
  }
  return conf;
}

/** Reads a resolv.conf; a missing or unreadable file is an empty configuration. */
export function readResolvConf(path = HOST_RESOLV_CONF): ResolvConf {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return { nameservers: [], searches: [], options: [] };
  }
}

function isLoopback(ip: string): boolean {
  return (isIP(ip) === 4 && ip.startsWith('127.')) || ip === '::1';
}

/** Upstream servers for forwarding: the host's nameservers without loopback stubs, unless those are
 * all there is. Addresses that are not IPs (or carry a %zone) are dropped. */
export function upstreamServers(conf: ResolvConf): string[] {
  const ips = conf.nameservers.filter((s) => isIP(s) !== 0);
  const outside = ips.filter((s) => !isLoopback(s));
  return outside.length ? outside : ips;
}
