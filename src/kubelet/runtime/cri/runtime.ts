// The CRI runtime: keelson's ContainerRuntime on a CRI v1 endpoint (containerd 1.6), as the
// kubelet's kuberuntime manager drives it. One pod sandbox per pod (network, IPC and UTS shared
// by its containers; containerd sets up CNI networking and the pod IP is
// PodSandboxStatus.network.ip; hostNetwork pods use the node's namespace), images through the
// ImageService (images.ts), CRI-format log files written by containerd under the kubelet's pod
// log directory, ExecSync for probes and hooks, CRI Exec/Attach over the streaming server for
// kubectl exec and attach (spdy-exec-stream.ts), CRI PortForward for kubectl port-forward
// (port-forward-stream.ts), container state changes by relisting (relist.ts).
//
// Containers outlive the kubelet: a restarted kubelet finds its pod's READY sandbox by the
// io.kubernetes.pod.uid label (asked only for the pods that had one when it connected, so a new
// pod costs no ListPodSandbox) and adopts the container of the current attempt (same name and
// attempt) instead of starting a new one. Divergences: the runtime version drops Debian's
// `~ds1` suffix (nodeInfo shows containerd://1.6.20); sandboxes get no cgroup parent (containerd
// puts them under its own k8s.io hierarchy, not kubepods).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../../util/log.js';
import type { ContainerConfig, ContainerRuntime, ContainerStats, ContainerStatus, ExecResult, ExecSession, PodSandbox, PodSandboxConfig, PodSandboxInfo, RegistryAuth, RuntimeCondition } from '../types.js';
import { CriClient, CriError, type Msg } from './client.js';
import { fromContainerStatus, LABEL_CONTAINER_NAME, LABEL_NODE, LABEL_POD_UID, toContainerConfig, toSandboxConfig } from './convert.js';
import { criSpdyExecSession } from './spdy-exec-stream.js';
import { criPortForward } from './port-forward-stream.js';
import type { Duplex } from 'node:stream';
import { ensureImage } from './images.js';
import { Relister } from './relist.js';
import { CriImageGCService } from './image-gc-service.js';

export interface CriRuntimeOptions {
  /** unix:///run/containerd/containerd.sock (the kubelet's --container-runtime-endpoint). */
  endpoint: string;
  log: Logger;
  /** How often container states are relisted (kubelet's PLEG period: 1 s). */
  relistPeriodMs?: number;
  /** How long to wait for the runtime to answer Version at connect (default 10 s). */
  connectTimeoutMs?: number;
  /** Settles once the sandbox image is present (the node's containerd imports keelson's pause
   * image while the node starts): a new pod sandbox waits for it, as RunPodSandbox would wait
   * for containerd to pull it; its failure fails that sandbox (and is asked again the next time). */
  sandboxImage?: () => Promise<void>;
}

interface Sandbox {
  config: PodSandboxConfig;
  /** Found running at start (a kubelet restart): its containers may be adopted. */
  adopted: boolean;
}

const UNSET = undefined;

export class CriRuntime implements ContainerRuntime {
  readonly probesAlwaysPass = false;
  readonly outlivesKubelet = true;
  private readonly sandboxes = new Map<string, Sandbox>();
  /** container id -> sandbox id */
  private readonly containerSandbox = new Map<string, string>();
  /** Adopted containers already running: StartContainer is a no-op for them. */
  private readonly adopted = new Set<string>();
  /** image -> the ref ensureImage resolved (what CreateContainer runs). */
  private readonly imageRefs = new Map<string, string>();
  private readonly listeners: Array<(sandboxId: string, containerId: string) => void> = [];
  private readonly statusListeners: Array<() => void> = [];
  /** Pod uids with a READY sandbox when we connected (a kubelet restart may adopt them); other
   * pods get a new sandbox without asking the runtime first. */
  private readonly readyAtConnect = new Set<string>();
  private readonly relister: Relister;

  private constructor(
    readonly client: CriClient,
    readonly runtimeName: string,
    readonly runtimeVersion: string,
    private readonly log: Logger,
    relistPeriodMs: number,
    private readonly sandboxImage?: () => Promise<void>,
  ) {
    this.relister = new Relister(client, relistPeriodMs, (sb, id) => this.listeners.forEach((l) => l(sb, id)), log);
    this.relister.start();
  }

  /** Connects to the endpoint and asks the runtime's name and version. */
  static async connect(o: CriRuntimeOptions): Promise<CriRuntime> {
    const client = new CriClient(o.endpoint);
    try {
      const v = await client.runtime('Version', { version: 'v1' }, o.connectTimeoutMs ?? 10_000);
      const { items } = await client.runtime('ListPodSandbox', { filter: { state: { state: 'SANDBOX_READY' } } }, o.connectTimeoutMs ?? 10_000);
      const rt = new CriRuntime(client, v.runtime_name, String(v.runtime_version).replace(/[~+].*$/, ''), o.log, o.relistPeriodMs ?? 1000, o.sandboxImage);
      for (const sb of items ?? []) if (sb.labels?.[LABEL_POD_UID]) rt.readyAtConnect.add(sb.labels[LABEL_POD_UID]);
      o.log.info({ endpoint: o.endpoint, runtime: v.runtime_name, version: v.runtime_version, api: v.runtime_api_version }, 'connected to the CRI runtime');
      return rt;
    } catch (e) {
      client.close();
      throw new Error(`container runtime endpoint ${o.endpoint} is not answering CRI v1: ${(e as Error).message}`, { cause: e });
    }
  }

  onContainerEvent(cb: (sandboxId: string, containerId: string) => void): void {
    this.listeners.push(cb);
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    mkdirSync(config.logDirectory, { recursive: true });
    const t0 = Date.now();
    let id: string | undefined;
    if (this.readyAtConnect.delete(config.uid)) {
      const { items } = await this.client.runtime('ListPodSandbox', { filter: { label_selector: { [LABEL_POD_UID]: config.uid }, state: { state: 'SANDBOX_READY' } } });
      id = items.sort((a: Msg, b: Msg) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : -1))[0]?.id;
    }
    if (id) {
      this.log.info({ pod: `${config.namespace}/${config.name}`, sandbox: id }, 'adopting the running pod sandbox');
      this.sandboxes.set(id, { config, adopted: true });
    }
    const t1 = Date.now();
    if (!id) {
      await this.sandboxImage?.();
      const res = await this.client.runtime('RunPodSandbox', { config: toSandboxConfig(config) });
      id = res.pod_sandbox_id as string;
      this.sandboxes.set(id, { config, adopted: false });
    }
    const t2 = Date.now();
    const { status } = await this.client.runtime('PodSandboxStatus', { pod_sandbox_id: id });
    if (this.log.isLevelEnabled('debug')) this.log.debug({ pod: `${config.namespace}/${config.name}`, listMs: t1 - t0, runMs: t2 - t1, statusMs: Date.now() - t2 }, 'pod sandbox ready');
    return { id, ip: config.hostNetwork ? '' : (status?.network?.ip ?? '') };
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    await this.ignoreNotFound(this.client.runtime('StopPodSandbox', { pod_sandbox_id: sandboxId }));
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    await this.ignoreNotFound(this.client.runtime('RemovePodSandbox', { pod_sandbox_id: sandboxId }));
    this.sandboxes.delete(sandboxId);
    for (const [c, sb] of this.containerSandbox) if (sb === sandboxId) this.containerSandbox.delete(c);
  }

  async ensureImage(image: string, policy: 'Always' | 'IfNotPresent' | 'Never', auth?: RegistryAuth[]): Promise<{ ref: string; pulled: boolean }> {
    const r = await ensureImage(this.client, image, policy, auth);
    this.imageRefs.set(image, r.ref);
    return r;
  }

  /** CRI Status: RuntimeReady and NetworkReady (containerd's NetworkReady holds once its CNI
   * config directory has a network). */
  async status(): Promise<RuntimeCondition[]> {
    const { status } = await this.client.runtime('Status', {}, 5000);
    return (status?.conditions ?? []).map((c: Msg) => ({ type: c.type, status: !!c.status, reason: c.reason ?? '', message: c.message ?? '' }));
  }

  onStatusChange(cb: () => void): void {
    this.statusListeners.push(cb);
  }

  /** Tells the kubelet to ask status() again: `keelson server`'s node calls it once containerd
   * reports NetworkReady after the CNI config was written. */
  statusChanged(): void {
    for (const l of this.statusListeners) l();
  }

  /** Every sandbox containerd holds (container GC). */
  async listPodSandboxes(): Promise<PodSandboxInfo[]> {
    const { items } = await this.client.runtime('ListPodSandbox', {});
    return (items ?? []).map((sb: Msg) => ({
      id: sb.id,
      podUid: sb.labels?.[LABEL_POD_UID] ?? sb.metadata?.uid ?? '',
      namespace: sb.metadata?.namespace ?? '',
      name: sb.metadata?.name ?? '',
      nodeName: sb.labels?.[LABEL_NODE] ?? '',
      ready: sb.state === 'SANDBOX_READY',
      createdAt: Number(BigInt(sb.created_at ?? 0) / 1_000_000n),
    }));
  }

  /** The image GC manager's view of this runtime (image-gc-service.ts). */
  imageGCService(): CriImageGCService {
    return new CriImageGCService(this.client);
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new Error(`sandbox "${sandboxId}" not found`);
    if (sb.adopted) {
      const found = await this.existing(sandboxId, config);
      if (found) return found;
    }
    mkdirSync(dirname(config.logPath), { recursive: true });
    const imageRef = this.imageRefs.get(config.image) ?? config.image;
    const res = await this.client.runtime('CreateContainer', { pod_sandbox_id: sandboxId, config: toContainerConfig(config, sb.config, imageRef), sandbox_config: toSandboxConfig(sb.config) });
    this.containerSandbox.set(res.container_id, sandboxId);
    return res.container_id;
  }

  /** The container of this name and attempt left by a previous kubelet: adopted when it ran,
   * removed when it never started (it is created again). */
  private async existing(sandboxId: string, config: ContainerConfig): Promise<string | undefined> {
    const { containers } = await this.client.runtime('ListContainers', { filter: { pod_sandbox_id: sandboxId, label_selector: { [LABEL_CONTAINER_NAME]: config.name } } });
    const same = containers.find((c: Msg) => (c.metadata?.attempt ?? 0) === config.attempt);
    if (!same) return UNSET;
    if (same.state === 'CONTAINER_CREATED') {
      await this.removeContainer(same.id);
      return UNSET;
    }
    this.log.info({ container: config.name, id: same.id, state: same.state }, 'adopting the container of the previous kubelet');
    this.containerSandbox.set(same.id, sandboxId);
    this.adopted.add(same.id);
    return same.id;
  }

  async startContainer(containerId: string): Promise<void> {
    if (this.adopted.delete(containerId)) return;
    await this.client.runtime('StartContainer', { container_id: containerId });
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await this.ignoreNotFound(this.client.runtime('StopContainer', { container_id: containerId, timeout: timeoutSeconds }, (timeoutSeconds + 30) * 1000));
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.ignoreNotFound(this.client.runtime('RemoveContainer', { container_id: containerId }));
    this.containerSandbox.delete(containerId);
    this.adopted.delete(containerId);
  }

  async listContainers(filter: { sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const { containers } = await this.client.runtime('ListContainers', { filter: filter.sandboxId ? { pod_sandbox_id: filter.sandboxId } : {} });
    const out: ContainerStatus[] = [];
    for (const c of containers) {
      this.containerSandbox.set(c.id, c.pod_sandbox_id);
      const s = await this.containerStatus(c.id);
      if (s) out.push(s);
    }
    return out;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus | undefined> {
    try {
      const { status } = await this.client.runtime('ContainerStatus', { container_id: containerId });
      let sb = this.containerSandbox.get(containerId);
      if (!sb) {
        const { containers } = await this.client.runtime('ListContainers', { filter: { id: containerId } });
        sb = containers[0]?.pod_sandbox_id ?? '';
        this.containerSandbox.set(containerId, sb!);
      }
      return fromContainerStatus(status, sb!);
    } catch (e) {
      if (e instanceof CriError && e.notFound) return UNSET;
      throw e;
    }
  }

  async exec(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult> {
    try {
      const r = await this.client.runtime('ExecSync', { container_id: containerId, cmd, timeout: timeoutSeconds }, (timeoutSeconds > 0 ? timeoutSeconds + 10 : 3600) * 1000);
      return { exitCode: r.exit_code, stdout: Buffer.from(r.stdout).toString(), stderr: Buffer.from(r.stderr).toString() };
    } catch (e) {
      return { exitCode: 126, stdout: '', stderr: (e as Error).message };
    }
  }

  execStream(containerId: string, cmd: string[], opts: { tty?: boolean; stdin?: boolean } = {}): ExecSession {
    const tty = !!opts.tty;
    const stdin = opts.stdin ?? true;
    const url = this.client.runtime('Exec', { container_id: containerId, cmd, tty, stdin, stdout: true, stderr: !tty }).then((r) => r.url as string);
    return criSpdyExecSession(url, { stdin, tty });
  }

  /** kubectl attach: CRI Attach, then the streaming server's WebSocket (as exec). */
  attach(containerId: string, opts: { stdin: boolean; tty?: boolean }): ExecSession {
    const tty = !!opts.tty;
    const url = this.client.runtime('Attach', { container_id: containerId, stdin: opts.stdin, tty, stdout: true, stderr: !tty }).then((r) => r.url as string);
    return criSpdyExecSession(url, { stdin: opts.stdin, tty });
  }

  /** kubectl port-forward: CRI PortForward, then the streaming server's WebSocket (port-forward-stream.ts). */
  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    const { url } = await this.client.runtime('PortForward', { pod_sandbox_id: sandboxId, port: [port] });
    return criPortForward(url as string, port);
  }

  async containerStats(containerId: string): Promise<ContainerStats | undefined> {
    try {
      const { stats } = await this.client.runtime('ContainerStats', { container_id: containerId });
      return { cpuUsageCoreNanoSeconds: Number(stats?.cpu?.usage_core_nano_seconds?.value ?? 0), memoryWorkingSetBytes: Number(stats?.memory?.working_set_bytes?.value ?? 0) };
    } catch (e) {
      if (e instanceof CriError && e.notFound) return UNSET;
      throw e;
    }
  }

  private async ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (!(e instanceof CriError && e.notFound)) throw e;
    }
  }

  /** Closes the connection; containers keep running (they outlive the kubelet). */
  async close(): Promise<void> {
    this.relister.stop();
    this.client.close();
  }
}
