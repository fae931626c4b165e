// `keelson token create|list`: bootstrap tokens for joining nodes, as `kubeadm token` does
// (kube-system Secrets bootstrap-token-<id>). Credentials: --kubeconfig, else
// <data-dir>/admin.kubeconfig of `keelson server`.
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { createToken, listTokens } from '../cluster/bootstrap-tokens.js';
import { caCertHash } from '../auth/pki/csr.js';
import { parse } from 'yaml';
import { durationSeconds } from './apiserver.js';

interface Common {
  dataDir: string;
  kubeconfig?: string;
}

function client(f: Common): RestClient {
  const path = f.kubeconfig ?? join(resolve(f.dataDir), 'admin.kubeconfig');
  return new RestClient({ ...loadKubeconfig(path), userAgent: 'keelson-token' });
}

/** The server and CA a joining node should use: cluster-info's, else the kubeconfig's. */
async function joinTarget(c: RestClient): Promise<{ server: string; ca?: string }> {
  try {
    const cm = await c.get('/api/v1/namespaces/kube-public/configmaps/cluster-info');
    const cl = (parse(String(cm.data?.kubeconfig ?? '')) as any)?.clusters?.[0]?.cluster ?? {};
    if (cl.server) return { server: cl.server, ca: cl['certificate-authority-data'] && Buffer.from(cl['certificate-authority-data'], 'base64').toString('utf8') };
  } catch {
    /* fall back to the kubeconfig */
  }
  return { server: c.config.server, ca: c.config.ca?.toString('utf8') };
}

const common = (cmd: Command) =>
  cmd.option('--data-dir <dir>', "keelson server's data dir (its admin.kubeconfig is used)", '.keelson').option('--kubeconfig <file>', 'kubeconfig to use instead of <data-dir>/admin.kubeconfig');

function human(sec: number): string {
  if (sec <= 0) return '<forever>';
  if (sec >= 86400) return `${Math.floor(sec / 86400)}d`;
  if (sec >= 3600) return `${Math.floor(sec / 3600)}h`;
  if (sec >= 60) return `${Math.floor(sec / 60)}m`;
  return `${Math.floor(sec)}s`;
}

export function register(program: Command): void {
  const token = program.command('token').description('manage bootstrap tokens for `keelson agent` (like kubeadm token)');
  common(token.command('create [token]').description('create a bootstrap token and print it'))
    .option('--ttl <duration>', 'time before the token is deleted (0 = never)', '24h0m0s')
    .option('--description <text>', 'a human friendly description of the token')
    .option('--usages <list>', 'usages: signing,authentication', 'signing,authentication')
    .option('--groups <list>', 'extra groups the token authenticates as', 'system:bootstrappers:kubeadm:default-node-token')
    .option('--print-join-command', 'print the whole `keelson agent` command line')
    .action(async (given: string | undefined, f: Common & { ttl: string; description?: string; usages: string; groups: string; printJoinCommand?: boolean }) => {
      const c = client(f);
      try {
        const t = await createToken(c, { token: given, ttlSeconds: durationSeconds(f.ttl), description: f.description, usages: f.usages.split(',').filter(Boolean), groups: f.groups.split(',').filter(Boolean) });
        if (!f.printJoinCommand) {
          console.log(t);
          return;
        }
        const target = await joinTarget(c);
        console.log(`keelson agent --server ${target.server} --token ${t}${target.ca ? ` --ca-cert-hash ${caCertHash(target.ca)}` : ''}`);
      } finally {
        c.close();
      }
    });
  common(token.command('list').description('list bootstrap tokens')).action(async (f: Common) => {
    const c = client(f);
    try {
      const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
      for (const t of await listTokens(c)) {
        const ttl = t.expires ? human((Date.parse(t.expires) - Date.now()) / 1000) : '<forever>';
        rows.push([t.token, ttl, t.expires ?? '<never>', t.usages.join(','), t.description || '<none>', t.groups.join(',')]);
      }
      const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows) console.log(r.map((v, i) => (i < r.length - 1 ? v.padEnd(w[i]) : v)).join('   ').trimEnd());
    } finally {
      c.close();
    }
  });
}
