// Conversions between keelson's runtime types (runtime/types.ts) and CRI v1 messages, as the
// kubelet's kuberuntime does them: the labels that identify a pod's sandbox and containers
// (io.kubernetes.pod.{name,namespace,uid}, io.kubernetes.container.name), namespace modes
// (hostNetwork -> NODE, a PID namespace per container, IPC shared in the pod), cgroup resources
// (cpu shares from the request, CFS quota from the limit over a 100 ms period, the memory limit,
// the QoS oom_score_adj) and the container security context. Times: CRI nanoseconds (int64
// decimal strings) <-> epoch milliseconds.
import { relative } from 'node:path';
import type { ContainerConfig, ContainerState, ContainerStatus, PodSandboxConfig } from '../types.js';
import type { Msg } from './client.js';

export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
/** Which kubelet created it (keelson's own label: several nodes may share one containerd). */
export const LABEL_NODE = 'io.keelson.node';

/** The shape of a volume mount (ContainerConfig.mounts, added by the volumes work). */
interface CriMountSource {
  containerPath: string;
  hostPath: string;
  readOnly?: boolean;
}

const MIN_SHARES = 2;
const SHARES_PER_CPU = 1024;
const QUOTA_PERIOD = 100_000;
const MIN_QUOTA = 1000;

/** kubelet's milliCPUToShares: 0 -> 2 (the minimum), else milli * 1024 / 1000. */
export function milliCpuToShares(milli: number): number {
  if (milli <= 0) return MIN_SHARES;
  return Math.max(MIN_SHARES, Math.floor((milli * SHARES_PER_CPU) / 1000));
}

/** kubelet's milliCPUToQuota over the default 100 ms period (0 = no limit). */
export function milliCpuToQuota(milli: number): number {
  if (milli <= 0) return 0;
  return Math.max(MIN_QUOTA, Math.floor((milli * QUOTA_PERIOD) / 1000));
}

export const nanosToMs = (ns: string | number | undefined): number => {
  if (ns === undefined || ns === '' || ns === '0' || ns === 0) return 0;
  return Number(BigInt(ns) / 1_000_000n);
};

export function sandboxLabels(c: PodSandboxConfig): Record<string, string> {
  return { ...(c.labels ?? {}), [LABEL_POD_NAME]: c.name, [LABEL_POD_NAMESPACE]: c.namespace, [LABEL_POD_UID]: c.uid, [LABEL_NODE]: c.nodeName };
}

/** The CRI PodSandboxConfig of a pod. */
export function toSandboxConfig(c: PodSandboxConfig): Msg {
  const sc = c.securityContext ?? {};
  return {
    metadata: { name: c.name, uid: c.uid, namespace: c.namespace, attempt: 0 },
    hostname: c.hostNetwork ? '' : (c.hostname ?? c.name),
    log_directory: c.logDirectory,
    ...(c.dns && !c.hostNetwork ? { dns_config: { servers: c.dns.servers, searches: c.dns.searches, options: c.dns.options } } : {}),
    port_mappings: (c.portMappings ?? []).map((p) => ({ protocol: p.protocol, container_port: p.containerPort, host_port: p.hostPort, host_ip: p.hostIP ?? '' })),
    labels: sandboxLabels(c),
    annotations: c.annotations ?? {},
    linux: {
      security_context: {
        namespace_options: { network: c.hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' },
        ...(sc.runAsUser !== undefined ? { run_as_user: { value: sc.runAsUser } } : {}),
        ...(sc.runAsGroup !== undefined ? { run_as_group: { value: sc.runAsGroup } } : {}),
        supplemental_groups: sc.supplementalGroups ?? [],
        privileged: !!sc.privileged,
      },
    },
  };
}

/** The CRI ContainerConfig (linux resources and security context included). */
export function toContainerConfig(c: ContainerConfig, sandbox: PodSandboxConfig, imageRef: string): Msg {
  const r = c.resources ?? {};
  const cpuShares = milliCpuToShares(r.cpuRequestMilli || r.cpuLimitMilli || 0);
  const quota = milliCpuToQuota(r.cpuLimitMilli ?? 0);
  const sc = c.securityContext ?? {};
  return {
    metadata: { name: c.name, attempt: c.attempt },
    image: { image: imageRef, user_specified_image: c.image },
    command: c.command,
    args: c.args,
    working_dir: c.workingDir ?? '',
    envs: c.env.map((e) => ({ key: e.name, value: e.value })),
    mounts: ((c as { mounts?: CriMountSource[] }).mounts ?? []).map((m) => ({ container_path: m.containerPath, host_path: m.hostPath, readonly: !!m.readOnly })),
    labels: { ...(c.labels ?? {}), [LABEL_POD_NAME]: sandbox.name, [LABEL_POD_NAMESPACE]: sandbox.namespace, [LABEL_POD_UID]: sandbox.uid, [LABEL_CONTAINER_NAME]: c.name },
    annotations: { ...(c.annotations ?? {}), 'io.kubernetes.container.restartCount': String(c.attempt) },
    log_path: relative(sandbox.logDirectory, c.logPath),
    stdin: !!c.stdin,
    stdin_once: !!c.stdinOnce,
    tty: !!c.tty,
    linux: {
      resources: {
        cpu_shares: cpuShares,
        ...(quota ? { cpu_quota: quota, cpu_period: QUOTA_PERIOD } : {}),
        ...(r.memoryLimitBytes ? { memory_limit_in_bytes: r.memoryLimitBytes } : {}),
        ...(c.oomScoreAdj !== undefined ? { oom_score_adj: c.oomScoreAdj } : {}),
      },
      security_context: {
        ...(sc.capabilities ? { capabilities: { add_capabilities: sc.capabilities.add ?? [], drop_capabilities: sc.capabilities.drop ?? [] } } : {}),
        privileged: !!sc.privileged,
        namespace_options: { network: sandbox.hostNetwork ? 'NODE' : 'POD', ipc: 'POD', ...(c.pidTargetId ? { pid: 'TARGET', target_id: c.pidTargetId } : { pid: 'CONTAINER' }) },
        ...(sc.runAsUser !== undefined ? { run_as_user: { value: sc.runAsUser } } : {}),
        ...(sc.runAsGroup !== undefined ? { run_as_group: { value: sc.runAsGroup } } : {}),
        readonly_rootfs: !!sc.readOnlyRootFilesystem,
        supplemental_groups: sc.supplementalGroups ?? [],
        // kubelet: NoNewPrivs is set when allowPrivilegeEscalation is explicitly false.
        no_new_privs: sc.allowPrivilegeEscalation === false,
      },
    },
  };
}

const states: Record<string, ContainerState> = { CONTAINER_CREATED: 'created', CONTAINER_RUNNING: 'running', CONTAINER_EXITED: 'exited', CONTAINER_UNKNOWN: 'unknown' };

/** A CRI ContainerStatus as keelson's ContainerStatus. */
export function fromContainerStatus(s: Msg, sandboxId: string): ContainerStatus {
  return {
    id: s.id,
    sandboxId,
    name: s.metadata?.name ?? '',
    attempt: s.metadata?.attempt ?? 0,
    image: s.image?.user_specified_image || s.image?.image || '',
    imageRef: s.image_ref ?? '',
    state: states[s.state] ?? 'unknown',
    createdAt: nanosToMs(s.created_at),
    startedAt: nanosToMs(s.started_at),
    finishedAt: nanosToMs(s.finished_at),
    exitCode: s.exit_code ?? 0,
    reason: s.reason ?? '',
    message: s.message ?? '',
    logPath: s.log_path ?? '',
  };
}
