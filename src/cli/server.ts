// `keelson server`: the whole control plane in one process (store, apiserver, scheduler,
// controller manager), the everyday way to run keelson (what `npm start` runs).
import type { Command } from 'commander';
import { startServer } from '../cluster/server.js';
import { apiserverFlags, onSignals, startOptions, type ApiserverFlags } from './apiserver.js';

interface ServerFlags extends ApiserverFlags {
  etcdListenClientUrls: string;
  disable: string[];
}

export function register(program: Command): void {
  apiserverFlags(program.command('server').description('run a keelson cluster in one process: store, apiserver, scheduler, controller manager'), 6443)
    .option('--etcd-listen-client-urls <urls>', 'where the embedded store answers etcdctl ("" to disable)', 'http://127.0.0.1:2379')
    .option('--disable <component>', 'do not run a component: scheduler, controller-manager (repeatable)', (v: string, acc: string[]) => [...acc, ...v.split(',')], [] as string[])
    .action(async (f: ServerFlags) => {
      const t0 = performance.now();
      const s = await startServer({
        ...startOptions(f),
        etcdListenClientUrls: f.etcdListenClientUrls ? f.etcdListenClientUrls.split(',').filter(Boolean) : [],
        disable: f.disable,
      });
      onSignals(() => s.close());
      await s.ready;
      console.log(`keelson server ready in ${Math.round(performance.now() - t0)} ms: apiserver on ${s.url}${s.etcdUrls.length ? `, etcd API on ${s.etcdUrls.join(',')}` : ''}`);
      if (s.kubeconfigPath) console.log(`To use kubectl:\n  export KUBECONFIG=${s.kubeconfigPath}\n  kubectl get nodes`);
    });
}
