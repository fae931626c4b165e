// `keelson version`: keelson's version, the Kubernetes API level and the etcd API it serves.
import type { Command } from 'commander';
import { keelsonVersion, kubernetesVersion, etcdServerVersion } from '../version.js';

export function register(program: Command): void {
  program
    .command('version')
    .description('print keelson, Kubernetes API and etcd API versions')
    .option('-o, --output <format>', 'output format: text or json', 'text')
    .action((opts: { output: string }) => {
      const v = { keelson: keelsonVersion, kubernetes: kubernetesVersion.gitVersion, etcd: etcdServerVersion, node: process.version };
      if (opts.output === 'json') console.log(JSON.stringify(v, null, 2));
      else console.log(`keelson ${v.keelson} (Kubernetes ${v.kubernetes}, etcd API ${v.etcd}, Node.js ${v.node})`);
    });
}
