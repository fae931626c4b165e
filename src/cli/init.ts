// `keelson init --manifests DIR [--systemd DIR] [--data-dir D] [--node-name N]`: kubeadm init's
// certificates, kubeconfigs and control-plane static-pod manifests (and systemd units), then
// prints the kubelet command that brings the control plane up (src/cluster/init.ts). Flag names
// follow kubeadm (--apiserver-advertise-address, --apiserver-bind-port, --node-name); the
// component ports are keelson flags so that several clusters can share a machine.
import { hostname } from 'node:os';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runInit } from '../cluster/init.js';

interface InitFlags {
  manifests: string;
  systemd?: string;
  dataDir: string;
  nodeName: string;
  apiserverAdvertiseAddress?: string;
  apiserverBindPort: string;
  etcdPort: string;
  controllerManagerPort: string;
  schedulerPort: string;
}

const port = (flag: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} "${v}": expected a port number`);
  return n;
};

/** The keelson executable this process was started as (bin/keelson), absolute. */
function self(): string {
  const p = resolve(process.argv[1] ?? 'keelson');
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export function register(program: Command): void {
  program
    .command('init')
    .description('write the control plane as static-pod manifests (and systemd units) with its certificates, like kubeadm init')
    .requiredOption('--manifests <dir>', 'directory for the static-pod manifests (a kubelet --pod-manifest-path)')
    .option('--systemd <dir>', 'also write systemd units of the components here')
    .option('--data-dir <dir>', 'directory for pki/, the kubeconfigs and the etcd data', '.keelson')
    .option('--node-name <name>', "the node's name (the kubelet's --hostname-override)", hostname().toLowerCase())
    .option('--apiserver-advertise-address <ip>', 'address the apiserver advertises (default: this host\'s IPv4)')
    .option('--apiserver-bind-port <port>', 'port of the apiserver', '6443')
    .option('--etcd-port <port>', 'client port of etcd on 127.0.0.1', '2379')
    .option('--controller-manager-port <port>', "controller manager's health port (0 = any free port)", '10257')
    .option('--scheduler-port <port>', "scheduler's health port (0 = any free port)", '10259')
    .action(async (f: InitFlags) => {
      const r = await runInit({
        manifests: f.manifests,
        systemd: f.systemd,
        dataDir: f.dataDir,
        nodeName: f.nodeName,
        keelson: self(),
        advertiseAddress: f.apiserverAdvertiseAddress,
        apiserverPort: port('--apiserver-bind-port', f.apiserverBindPort),
        etcdPort: port('--etcd-port', f.etcdPort),
        controllerManagerPort: port('--controller-manager-port', f.controllerManagerPort),
        schedulerPort: port('--scheduler-port', f.schedulerPort),
      });
      for (const file of r.files) console.log(`wrote ${file}`);
      console.log(`\nYour control plane is ready to start. Run the kubelet on the manifests:\n  ${r.kubelet.join(' ')}`);
      console.log(`\nThen use kubectl:\n  export KUBECONFIG=${r.adminKubeconfig}\n  kubectl get pods -n kube-system`);
    });
}
