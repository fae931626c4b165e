// The kubelet's volume manager for one node: before a pod's sandbox starts, every volume of the
// pod is set up under <root-dir>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name> (hostPath and
// local persistent volumes are used where they are); API-backed volumes (configMap, secret,
// downwardAPI, projected) are rewritten atomically on every sync so changes reach running pods;
// after the pod is gone its directory is removed (tmpfs unmounted first).
// Divergences: emptyDir sizeLimit is enforced only for medium Memory (the tmpfs size), not by
// eviction; secret volumes are plain files, not tmpfs; PVCs are supported for hostPath- and
// local-backed PVs (what the local-path provisioner makes).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNotFound, type KObject, type RestClient } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { parseQuantity, quantityValue } from '../../api/quantity.js';
import type { Logger } from '../../util/log.js';
import type { Pod } from '../pod-status.js';
import { writeAtomically } from './atomic-writer.js';
import { configMapFiles, DEFAULT_MODE, downwardAPIFiles, MountError, projectedFiles, secretFiles, TokenCache, type SourceContext } from './projections.js';

export { MountError } from './projections.js';

export interface VolumeManagerOptions {
  client: RestClient;
  rootDir: string;
  log: Logger;
  /** tmpfs for emptyDir medium Memory (default: when running as root). */
  canMount?: boolean;
  now?: () => number;
}

export interface VolumeMount {
  /** Where the container sees it. */
  containerPath: string;
  /** The file or directory on the node. */
  hostPath: string;
  readOnly: boolean;
  subPath?: string;
}

/** A volume that failed to set up, worded like the kubelet's FailedMount event. */
export class FailedMount extends Error {
  constructor(
    readonly volume: string,
    readonly detail: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`);
  }
}

const API_PLUGINS = new Set(['configMap', 'secret', 'downwardAPI', 'projected']);

function pluginOf(v: KObject): string {
  for (const k of ['emptyDir', 'configMap', 'secret', 'downwardAPI', 'projected', 'hostPath', 'persistentVolumeClaim']) if (v[k] !== undefined) return k;
  return Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
}

const pluginDir: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

function isMountPoint(dir: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === dir);
  } catch {
    return false;
  }
}

export class VolumeManager {
  private readonly tokens = new TokenCache();
  private readonly canMount: boolean;

  constructor(private readonly o: VolumeManagerOptions) {
    this.canMount = o.canMount ?? process.getuid?.() === 0;
  }

  podDir(uid: string): string {
    return join(this.o.rootDir, 'pods', uid);
  }

  /** Sets up (or refreshes) every volume of the pod: volume name -> path on the node. */
  async setUp(pod: Pod): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const ctx: SourceContext = { client: this.o.client, pod, tokens: this.tokens, now: this.o.now };
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.setUpOne(ctx, v));
      } catch (e) {
        if (e instanceof MountError) throw new FailedMount(v.name, e.message);
        throw e;
      }
    }
    return out;
  }

  /** Whether the pod has volumes whose content follows API objects (worth refreshing). */
  hasApiVolumes(pod: Pod): boolean {
    return (pod.spec?.volumes ?? []).some((v: KObject) => API_PLUGINS.has(pluginOf(v)));
  }

  /** When a service account token of the pod needs renewing (epoch ms), if any. */
  nextTokenRefresh(uid: string): number | undefined {
    return this.tokens.nextRefresh(uid);
  }

  private async setUpOne(ctx: SourceContext, v: KObject): Promise<string> {
    const plugin = pluginOf(v);
    const uid = ctx.pod.metadata.uid;
    const dir = pluginDir[plugin] ? join(this.podDir(uid), 'volumes', pluginDir[plugin], v.name) : '';
    switch (plugin) {
      case 'emptyDir':
        return this.emptyDir(dir, v.emptyDir ?? {});
      case 'configMap':
        writeAtomically(dir, await configMapFiles(ctx, v.configMap, v.configMap.defaultMode ?? DEFAULT_MODE));
        return dir;
      case 'secret':
        writeAtomically(dir, await secretFiles(ctx, v.secret, v.secret.defaultMode ?? DEFAULT_MODE));
        return dir;
      case 'downwardAPI':
        writeAtomically(dir, downwardAPIFiles(ctx.pod, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE));
        return dir;
      case 'projected':
        writeAtomically(dir, await projectedFiles(ctx, v.projected));
        return dir;
      case 'hostPath':
        return hostPath(v.hostPath.path, v.hostPath.type ?? '');
      case 'persistentVolumeClaim':
        return this.claim(ctx.pod.metadata.namespace, v.persistentVolumeClaim.claimName);
      default:
        throw new MountError(`volume type "${plugin}" is not supported by this kubelet`);
    }
  }

  private emptyDir(dir: string, src: KObject): string {
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    if (src.medium === 'Memory') {
      if (!this.canMount) {
        this.o.log.warn({ dir }, 'emptyDir medium Memory needs root for tmpfs: using a plain directory');
      } else if (!isMountPoint(dir)) {
        const size = src.sizeLimit ? `,size=${quantityValue(parseQuantity(String(src.sizeLimit)))}` : '';
        try {
          execFileSync('mount', ['-t', 'tmpfs', '-o', `mode=0777${size}`, 'tmpfs', dir], { stdio: 'pipe' });
        } catch (e) {
          throw new MountError(`mount of tmpfs at "${dir}" failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`);
        }
      }
    }
    return dir;
  }

  private async claim(ns: string, name: string): Promise<string> {
    const c = this.o.client;
    let pvc: KObject;
    try {
      pvc = await c.get(resourcePath(Resources.persistentvolumeclaims, ns, name));
    } catch (e) {
      if (isNotFound(e)) throw new MountError(`persistentvolumeclaim "${name}" not found`);
      throw e;
    }
    if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) throw new MountError(`PersistentVolumeClaim "${name}" is not bound`);
    const pv = await c.get(resourcePath(Resources.persistentvolumes, undefined, pvc.spec.volumeName));
    const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (!path) throw new MountError(`persistent volume "${pv.metadata?.name}" is neither hostPath nor local: not supported by this kubelet`);
    return hostPath(path, pv.spec?.hostPath ? (pv.spec.hostPath.type ?? 'DirectoryOrCreate') : 'Directory');
  }

  /** Removes the pod's volumes (after its containers are gone). */
  tearDown(uid: string): void {
    this.tokens.forget(uid);
    const base = join(this.podDir(uid), 'volumes', pluginDir.emptyDir);
    if (existsSync(base) && this.canMount) {
      for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const mp = line.split(' ')[4];
        if (mp?.startsWith(`${base}/`)) {
          try {
            execFileSync('umount', [mp], { stdio: 'pipe' });
          } catch (e) {
            this.o.log.warn({ mp, err: (e as Error).message }, 'umount of an emptyDir failed');
          }
        }
      }
    }
    rmSync(this.podDir(uid), { recursive: true, force: true });
  }
}

/** A hostPath with its type checked (or created), as the kubelet's hostPath plugin does. */
export function hostPath(path: string, type: string): string {
  const st = (() => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  })();
  const fail = (what: string) => {
    throw new MountError(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) fail('directory');
      break;
    case 'Directory':
      if (!st?.isDirectory()) fail('directory');
      break;
    case 'FileOrCreate':
      if (!st) writeFileSync(path, '', { mode: 0o644 });
      else if (!st.isFile()) fail('file');
      break;
    case 'File':
      if (!st?.isFile()) fail('file');
      break;
    case 'Socket':
      if (!st?.isSocket()) fail('socket file');
      break;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) fail('character device');
      break;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) fail('block device');
      break;
  }
  return path;
}

/** The mounts of one container: its volumeMounts resolved against the pod's set-up volumes.
 * API-backed volumes are always read-only (the kubelet's ReadOnlyAPIDataVolumes). */
export function containerMounts(pod: Pod, container: KObject, volumes: Map<string, string>, env: Map<string, string> = new Map()): VolumeMount[] {
  const kinds = new Map<string, string>((pod.spec?.volumes ?? []).map((v: KObject) => [v.name, pluginOf(v)]));
  const out: VolumeMount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const base = volumes.get(m.name);
    if (!base) continue;
    const subPath: string | undefined = m.subPath || (m.subPathExpr ? String(m.subPathExpr).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_: string, n: string) => env.get(n) ?? '') : undefined) || undefined;
    if (subPath && (subPath.startsWith('/') || subPath.split('/').includes('..'))) throw new MountError(`invalid subPath "${subPath}"`);
    const hp = subPath ? join(base, subPath) : base;
    if (subPath && !existsSync(hp) && kinds.get(m.name) === 'emptyDir') mkdirSync(hp, { recursive: true, mode: 0o777 });
    out.push({ containerPath: m.mountPath, hostPath: hp, readOnly: !!m.readOnly || API_PLUGINS.has(kinds.get(m.name) ?? ''), ...(subPath ? { subPath } : {}) });
  }
  return out;
}
