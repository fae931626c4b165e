// `keelson server`: the whole control plane in one process. For now: the embedded store (also
// served to etcdctl on --etcd-listen-client-urls) and the apiserver.
import type { Command } from 'commander';
import { join } from 'node:path';
import { startApiServer } from '../apiserver/index.js';
import { openMvccStore } from '../storage/mvcc/index.js';
import { startEtcdServer } from '../storage/etcd-server/index.js';
import { apiserverFlags, onSignals, startOptions, type ApiserverFlags } from './apiserver.js';

export function register(program: Command): void {
  apiserverFlags(program.command('server').description('run a keelson control plane (store + apiserver) in one process'), 6443)
    .option('--etcd-listen-client-urls <urls>', 'where the embedded store answers etcdctl ("" to disable)', 'http://127.0.0.1:2379')
    .action(async (f: ApiserverFlags & { etcdListenClientUrls: string }) => {
      const o = startOptions(f);
      const store = o.etcdServers.length ? undefined : await openMvccStore({ dataDir: join(o.dataDir, 'store') });
      const etcd = store && f.etcdListenClientUrls ? await startEtcdServer({ store, listenClientUrls: f.etcdListenClientUrls.split(','), dataDir: join(o.dataDir, 'etcd') }) : undefined;
      const api = await startApiServer({ ...o, store });
      onSignals(async () => {
        await api.close();
        await etcd?.close();
        await store?.close();
      });
      console.log(`keelson server: apiserver on ${api.url}${etcd ? `, etcd API on ${f.etcdListenClientUrls}` : ''}`);
      if (api.kubeconfigPath) console.log(`To use kubectl:\n  export KUBECONFIG=${api.kubeconfigPath}\n  kubectl get nodes`);
    });
}
