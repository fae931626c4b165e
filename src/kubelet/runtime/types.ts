// The container runtime interface the kubelet talks to, modelled on CRI's RuntimeService
// (k8s.io/cri-api runtime/v1): pod sandboxes, containers in them, their status, exec, logs and
// stats. Implementations: simulated/ (no processes, kwok-style), process/ (host processes),
// cri/ (containerd over CRI v1). Every call is async as a gRPC runtime would be.

/** What a sandbox is created from (CRI PodSandboxConfig, reduced to what runtimes use). */
export interface PodSandboxConfig {
  uid: string;
  name: string;
  namespace: string;
  nodeName: string;
  /** The pod's restartPolicy: the simulated runtime decides from it whether containers finish. */
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  hostNetwork: boolean;
  /** Directory for this pod's container logs (<root-dir>/pods/<ns>_<name>_<uid>). */
  logDirectory: string;
  /** The IP the pod reported before (a kubelet restart); a runtime may keep it (simulated). */
  previousIP?: string;
  /** The sandbox's hostname (the pod's name, or spec.hostname; empty with hostNetwork). */
  hostname?: string;
  /** Pod labels and annotations (CRI keeps them on the sandbox). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** resolv.conf of the pod (CRI DNSConfig); undefined: the runtime's default (the host's). */
  dns?: { servers: string[]; searches: string[]; options: string[] };
  /** hostPort mappings of all containers (CRI PortMapping on the sandbox). */
  portMappings?: Array<{ protocol: 'TCP' | 'UDP' | 'SCTP'; containerPort: number; hostPort: number; hostIP?: string }>;
  /** Pod-level securityContext pieces the sandbox uses. */
  securityContext?: { runAsUser?: number; runAsGroup?: number; supplementalGroups?: number[]; privileged?: boolean };
}

export interface PodSandbox {
  id: string;
  /** The pod's IP (the host's for a host-network pod). */
  ip: string;
}

/** A sandbox as the runtime lists it (CRI PodSandbox): whose pod it is, its state. */
export interface PodSandboxInfo {
  id: string;
  podUid: string;
  namespace: string;
  name: string;
  /** The node whose kubelet made it (keelson's label; '' when unknown). */
  nodeName: string;
  ready: boolean;
  /** Epoch ms. */
  createdAt: number;
}

/** What a container is created from (CRI ContainerConfig, reduced). */
export interface ContainerConfig {
  name: string;
  image: string;
  /** Resolved command line: spec command + args (empty: the image's default, if known). */
  command: string[];
  args: string[];
  env: Array<{ name: string; value: string }>;
  workingDir?: string;
  /** Which start of this container this is (0 = first); the kubelet's restartCount. */
  attempt: number;
  /** Absolute path of this attempt's CRI-format log file. */
  logPath: string;
  /** Init container: the simulated runtime completes it. */
  init?: boolean;
  /** When this attempt started according to the pod's status (a kubelet restart); a runtime
   * without real processes (simulated) resumes it instead of starting anew, a runtime whose
   * containers outlive the kubelet (cri) adopts the container of this attempt. Epoch ms. */
  previousStartedAt?: number;
  /** Volumes to mount (set up by the kubelet's volume manager under
   * <root-dir>/pods/<uid>/volumes/...; see kubelet/volumes). */
  mounts?: Array<{ containerPath: string; hostPath: string; readOnly: boolean; subPath?: string }>;
  /** CPU and memory requests/limits (cpu in millicores, memory in bytes; undefined: none). */
  resources?: { cpuRequestMilli?: number; cpuLimitMilli?: number; memoryRequestBytes?: number; memoryLimitBytes?: number };
  /** The kernel's OOM score adjustment for the pod's QoS class (kubelet's qos policy). */
  oomScoreAdj?: number;
  /** The container's effective securityContext (pod-level values merged in). */
  securityContext?: ContainerSecurity;
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  /** An ephemeral container's targetContainerName, as the runtime id of the container whose PID
   * namespace it joins (CRI NamespaceMode TARGET; `kubectl debug --target`). */
  pidTargetId?: string;
  /** Labels and annotations the runtime stores with the container (kubelet's io.kubernetes.*). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ContainerSecurity {
  runAsUser?: number;
  runAsGroup?: number;
  supplementalGroups?: number[];
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

/** CRI ContainerStatus, with times as epoch milliseconds (0 = not yet). */
export interface ContainerStatus {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  image: string;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** Completed, Error, OOMKilled, ContainerCannotRun... (set when exited). */
  reason: string;
  message: string;
  logPath: string;
  /** The image's digest reference (CRI image_ref), for status.imageID; '' when unknown. */
  imageRef?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A running exec session (kubectl exec): streams in and out, the exit code when it ends. */
export interface ExecSession {
  stdin: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  /** Resolves with the exit code (128 + signal when killed; 126 when it could not start). */
  exited: Promise<number>;
  /** Why the command could not start (set before `exited` resolves with 126). */
  startError?: string;
  kill(): void;
  /** Sets the terminal size of a tty session (kubectl's resize messages: columns, rows);
   * absent when the session has no terminal. */
  resize?(width: number, height: number): void;
}

export interface ContainerStats {
  cpuUsageCoreNanoSeconds: number;
  memoryWorkingSetBytes: number;
}

/** A condition of the runtime (CRI RuntimeCondition): RuntimeReady, NetworkReady. */
export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface RuntimeEvents {
  /** A container changed state on its own (exited); the kubelet re-syncs its pod. */
  onContainerEvent(cb: (sandboxId: string, containerId: string) => void): void;
}

export interface ContainerRuntime extends RuntimeEvents {
  /** CRI VersionResponse.runtime_name / runtime_version (shown in nodeInfo). */
  readonly runtimeName: string;
  readonly runtimeVersion: string;

  runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox>;
  /** Stops every container of the sandbox (killing them at once) and releases its network. */
  stopPodSandbox(sandboxId: string): Promise<void>;
  removePodSandbox(sandboxId: string): Promise<void>;

  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds` (0 = kill at once); resolves once exited. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: { sandboxId?: string }): Promise<ContainerStatus[]>;
  containerStatus(containerId: string): Promise<ContainerStatus | undefined>;
  /** Runs a command in the container's context (probes, kubectl exec). */
  exec(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult>;
  /** Runs a command in the container's context with its streams attached (CRI Exec, the
   * kubelet server's /exec). Optional: a runtime without processes (simulated) has none. */
  execStream?(containerId: string, cmd: string[], opts?: { tty?: boolean; stdin?: boolean }): ExecSession;
  /** Attaches to the running container's own stdio (CRI Attach, the kubelet server's /attach):
   * `exited` resolves when the container exits (or the session is detached by kill(), which
   * leaves the container running). Throws when the container is not running. */
  attach?(containerId: string, opts: { stdin: boolean; tty?: boolean }): ExecSession;
  /** Connects to `port` in the pod's network (CRI PortForward, the kubelet server's
   * /portForward); rejects with the reason (e.g. `connect: connection refused`). */
  portForward?(sandboxId: string, port: number): Promise<import('node:stream').Duplex>;
  containerStats(containerId: string): Promise<ContainerStats | undefined>;
  /** True when probes need not run: the simulated runtime's probes always pass. */
  readonly probesAlwaysPass: boolean;
  /** True when containers keep running after the kubelet stops (cri): shutdown leaves them, and
   * a restarted kubelet adopts them (see ContainerConfig.previousStartedAt). */
  readonly outlivesKubelet?: boolean;
  /** Makes sure `image` is present per the pull policy (CRI ImageService). Optional: runtimes
   * without images (process, simulated) have none. Resolves with the image ref and whether it
   * was pulled; rejects with an ImagePullError. */
  ensureImage?(image: string, policy: 'Always' | 'IfNotPresent' | 'Never', auth?: RegistryAuth[]): Promise<{ ref: string; pulled: boolean }>;
  /** Every pod sandbox the runtime holds (container GC finds those of deleted pods). Optional:
   * runtimes whose sandboxes end with the kubelet (process, simulated) have none. */
  listPodSandboxes?(): Promise<PodSandboxInfo[]>;
  /** What the image GC manager needs (images, images in use, removal, the image filesystem).
   * Optional: runtimes without images have none (and no image GC). */
  imageGCService?(): import('../images/gc.js').ImageGCService;
  /** The runtime's conditions (CRI Status): the kubelet's node is Ready only while RuntimeReady
   * and NetworkReady hold (runtime-readiness.ts); rejects when the runtime does not answer.
   * Optional: a runtime without it (process, simulated) is ready while the kubelet runs. */
  status?(): Promise<RuntimeCondition[]>;
  /** Calls `cb` when the runtime's conditions may have changed (cri: its network was just
   * configured), so the kubelet asks `status()` again at once instead of at its next check. */
  onStatusChange?(cb: () => void): void;
  close(): Promise<void>;
}

/** Credentials for a registry (from imagePullSecrets' docker config). */
export interface RegistryAuth {
  server: string;
  username?: string;
  password?: string;
  auth?: string;
  identityToken?: string;
  registryToken?: string;
}

/** An image could not be made present: reason ErrImagePull or ErrImageNeverPull (as the
 * kubelet's image manager says them). */
export class ImagePullError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
  ) {
    super(message);
  }
}

/** The status of a container just created from `config` (every runtime starts from this). */
export function createdContainerStatus(id: string, sandboxId: string, config: ContainerConfig): ContainerStatus {
  return {
    id,
    sandboxId,
    name: config.name,
    attempt: config.attempt,
    image: config.image,
    state: 'created',
    createdAt: Date.now(),
    startedAt: 0,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    logPath: config.logPath,
  };
}
