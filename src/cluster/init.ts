// `keelson init`, the kubeadm way: certificates and kubeconfigs up front (init-pki.ts), then the
// control plane as static-pod manifests in --manifests (init-manifests.ts: etcd.yaml,
// kube-apiserver.yaml, kube-controller-manager.yaml, kube-scheduler.yaml) and, with --systemd,
// the same components as systemd units (init-systemd.ts). A kubelet started on the manifests
// directory (`keelson kubelet --runtime process --pod-manifest-path DIR --kubeconfig
// <data-dir>/kubelet.kubeconfig`) then runs them as static pods before the apiserver answers and
// mirrors them as etcd-<node>, kube-apiserver-<node>, ... in kube-system once it does.
// Diverges from kubeadm: no preflight checks, no bootstrap token or addon phases (the kubelet
// joins with its own certificate), and nothing is started here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { advertiseAddress } from '../apiserver/serving.js';
import { ensureInitPki } from './init-pki.js';
import { controlPlaneComponents, kubeletArgv, staticPodManifest } from './init-manifests.js';
import { componentUnit, systemdUnit } from './init-systemd.js';

export interface InitOptions {
  manifests: string;
  systemd?: string;
  dataDir: string;
  nodeName: string;
  /** Absolute path of the keelson executable the manifests run. */
  keelson: string;
  advertiseAddress?: string;
  apiserverPort?: number;
  etcdPort?: number;
  controllerManagerPort?: number;
  schedulerPort?: number;
  /** The kubernetes Service's ClusterIP (default 10.96.0.1, the first of 10.96.0.0/12). */
  serviceIP?: string;
}

export interface InitResult {
  /** Files written, in order. */
  files: string[];
  /** The kubelet command that brings the control plane up. */
  kubelet: string[];
  adminKubeconfig: string;
}

export async function runInit(opts: InitOptions): Promise<InitResult> {
  const dataDir = resolve(opts.dataDir);
  const manifests = resolve(opts.manifests);
  const address = advertiseAddress({ bindAddress: '0.0.0.0', advertiseAddress: opts.advertiseAddress });
  const apiserverPort = opts.apiserverPort ?? 6443;
  const host = address.includes(':') ? `[${address}]` : address;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pki = await ensureInitPki({ dataDir, nodeName: opts.nodeName, server: `https://${host}:${apiserverPort}`, advertiseAddress: address, serviceIP: opts.serviceIP ?? '10.96.0.1' });
  const components = controlPlaneComponents({
    keelson: opts.keelson,
    dataDir,
    nodeName: opts.nodeName,
    advertiseAddress: address,
    apiserverPort,
    etcdPort: opts.etcdPort ?? 2379,
    controllerManagerPort: opts.controllerManagerPort ?? 10257,
    schedulerPort: opts.schedulerPort ?? 10259,
    pki,
  });
  const files: string[] = [...Object.values(pki.kubeconfigs)];
  mkdirSync(manifests, { recursive: true });
  for (const c of components) {
    const path = join(manifests, `${c.name}.yaml`);
    writeFileSync(path, stringify(staticPodManifest(c, dataDir)), { mode: 0o600 });
    files.push(path);
  }
  const kubelet = kubeletArgv({ keelson: opts.keelson, dataDir, nodeName: opts.nodeName, kubeconfig: pki.kubeconfigs.kubelet, manifests });
  if (opts.systemd) {
    const dir = resolve(opts.systemd);
    mkdirSync(dir, { recursive: true });
    for (const c of components) {
      const path = join(dir, `${c.name}.service`);
      writeFileSync(path, componentUnit(c));
      files.push(path);
    }
    // The node's kubelet as a service; it runs no static pods here (the units are the control plane).
    const path = join(dir, 'kubelet.service');
    const argv = kubeletArgv({ keelson: opts.keelson, dataDir, nodeName: opts.nodeName, kubeconfig: pki.kubeconfigs.kubelet });
    writeFileSync(path, systemdUnit({ description: 'Kubernetes node agent (keelson kubelet)', argv, after: ['kube-apiserver'] }).replace(/^Requires=.*\n/m, ''));
    files.push(path);
  }
  return { files, kubelet, adminKubeconfig: pki.kubeconfigs.admin };
}
