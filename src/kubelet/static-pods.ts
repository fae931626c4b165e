// Static pods from --pod-manifest-path (kubelet's file config source, pkg/kubelet/config/file.go
// and common.go): every regular file of the directory that is not a dotfile holds one Pod in
// YAML or JSON. A pod is named `<name>-<nodeName>`, its namespace defaults to "default", it is
// bound to this node, it tolerates every NoExecute taint, and it carries the annotations
// kubernetes.io/config.source=file, kubernetes.io/config.hash (= its UID: a hash of node, file
// and manifest, so any change of the manifest makes a new pod) and kubernetes.io/config.seen.
// The directory is watched (fs.watch, debounced) and rescanned every 20 s; a missing directory
// is an empty source. Divergences: the hash is md5 over our canonical JSON (not Go's DeepHash),
// and a file that stops parsing keeps its last good pod (kube drops it), so a half-written file
// does not restart the pod.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Logger } from '../util/log.js';
import { stableJson, type Pod } from './pod-status.js';

export const CONFIG_SOURCE = 'kubernetes.io/config.source';
export const CONFIG_HASH = 'kubernetes.io/config.hash';
export const CONFIG_SEEN = 'kubernetes.io/config.seen';
export const CONFIG_MIRROR = 'kubernetes.io/config.mirror';

/** A pod the apiserver holds on behalf of a static pod (kubelet's IsMirrorPod). */
export const isMirrorPod = (pod: Pod): boolean => pod.metadata?.annotations?.[CONFIG_MIRROR] !== undefined;

export class ManifestError extends Error {}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** kube's generatePodName: the node name (lower case) appended to the manifest's name. */
export const staticPodName = (name: string, nodeName: string): string => `${name}-${nodeName.toLowerCase()}`;

/** The static pod's UID and config.hash: md5 of node, file and the manifest as parsed. */
export function staticPodHash(manifest: unknown, file: string, nodeName: string): string {
  return createHash('md5').update(`host:${nodeName}`).update(`file:${file}`).update(stableJson(manifest)).digest('hex');
}

/** One manifest file's text to the static pod it declares (throws ManifestError). */
export function staticPodFromManifest(text: string, o: { file: string; nodeName: string; seen: string }): Pod {
  let m: Pod;
  try {
    m = parse(text);
  } catch (e) {
    throw new ManifestError(`${o.file}: invalid YAML or JSON: ${(e as Error).message}`);
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw new ManifestError(`${o.file}: expected a Pod object`);
  if (m.kind !== 'Pod' || (m.apiVersion ?? 'v1') !== 'v1') throw new ManifestError(`${o.file}: kind "${m.kind}" apiVersion "${m.apiVersion}": expected a v1 Pod`);
  const name = m.metadata?.name;
  if (typeof name !== 'string' || !name) throw new ManifestError(`${o.file}: metadata.name: Required value: name or generateName is required`);
  const full = staticPodName(name, o.nodeName);
  if (full.length > 253 || !DNS1123_SUBDOMAIN.test(full)) throw new ManifestError(`${o.file}: metadata.name: Invalid value: "${full}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
  const containers = m.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw new ManifestError(`${o.file}: spec.containers: Required value`);
  containers.forEach((c: Pod, i: number) => {
    if (!c?.name) throw new ManifestError(`${o.file}: spec.containers[${i}].name: Required value`);
    if (!c.image) throw new ManifestError(`${o.file}: spec.containers[${i}].image: Required value`);
  });
  const uid = staticPodHash(m, o.file, o.nodeName);
  const tolerations: Pod[] = [...(m.spec.tolerations ?? [])];
  if (!tolerations.some((t) => t.operator === 'Exists' && !t.key && t.effect === 'NoExecute')) tolerations.push({ operator: 'Exists', effect: 'NoExecute' });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...m.metadata,
      name: full,
      namespace: m.metadata.namespace || 'default',
      uid,
      annotations: { ...m.metadata.annotations, [CONFIG_HASH]: uid, [CONFIG_SEEN]: o.seen, [CONFIG_SOURCE]: 'file' },
    },
    spec: { ...m.spec, nodeName: o.nodeName, tolerations },
  };
}

export interface StaticPodSourceOptions {
  dir: string;
  nodeName: string;
  log: Logger;
  /** The whole set of static pods, called when it changed (kube's SET operation). */
  onChange(pods: Pod[]): void;
  /** Full rescan period (kubelet --file-check-frequency, default 20 s). */
  periodMs?: number;
  /** Quiet time after a watch event before rescanning (default 100 ms). */
  debounceMs?: number;
}

/** The manifest directory as a source of static pods. */
export class StaticPodSource {
  private readonly byFile = new Map<string, Pod>();
  private readonly seen = new Map<string, string>();
  private lastKey?: string;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private again = false;
  private stopped = false;
  private missingLogged = false;
  private readonly duplicates = new Set<string>();

  constructor(private readonly o: StaticPodSourceOptions) {}

  /** First scan, then watch and rescan periodically until stop(). */
  async start(): Promise<void> {
    await this.scan();
    this.timer = setInterval(() => void this.scan(), this.o.periodMs ?? 20_000);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private ensureWatch(): void {
    if (this.watcher || this.stopped) return;
    try {
      this.watcher = watch(this.o.dir, () => {
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.scan(), this.o.debounceMs ?? 100);
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  /** Read the directory now (scans never overlap; one requested during a scan runs after it). */
  scan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.again = false;
        await this.scanOnce();
      } while (this.again && !this.stopped);
    })().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.o.dir)).filter((n) => !n.startsWith('.')).sort();
      this.missingLogged = false;
      this.ensureWatch();
    } catch (e) {
      if (!this.missingLogged) this.o.log.info({ path: this.o.dir, err: (e as Error).message }, 'static pod path cannot be read, no static pods');
      this.missingLogged = true;
      this.watcher?.close();
      this.watcher = undefined;
      names = [];
    }
    const present = new Set<string>();
    for (const n of names) {
      const file = join(this.o.dir, n);
      let text: string;
      try {
        if (!(await stat(file)).isFile()) continue;
        text = await readFile(file, 'utf8');
      } catch {
        continue; // removed while scanning
      }
      present.add(file);
      try {
        const probe = staticPodFromManifest(text, { file, nodeName: this.o.nodeName, seen: '' });
        const uid = probe.metadata.uid;
        const seen = this.seen.get(uid) ?? new Date().toISOString();
        this.seen.set(uid, seen);
        probe.metadata.annotations[CONFIG_SEEN] = seen;
        this.byFile.set(file, probe);
      } catch (e) {
        if (!(e instanceof ManifestError)) throw e;
        if (!this.byFile.has(file)) this.o.log.warn({ err: e.message }, 'could not process manifest file');
      }
    }
    for (const f of [...this.byFile.keys()]) if (!present.has(f)) this.byFile.delete(f);
    // One pod per name: the first file (in name order) wins, as kube keeps the first it saw.
    const byName = new Map<string, Pod>();
    for (const [file, pod] of [...this.byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (!byName.has(key)) byName.set(key, pod);
      else if (!this.duplicates.has(file)) {
        this.duplicates.add(file);
        this.o.log.warn({ file, pod: key }, 'static pod with this name already declared by another file, ignored');
      }
    }
    const pods = [...byName.values()];
    const uids = new Set(pods.map((p) => p.metadata.uid));
    for (const u of [...this.seen.keys()]) if (!uids.has(u)) this.seen.delete(u);
    const key = [...uids].sort().join(',');
    if (key === this.lastKey || this.stopped) return;
    this.lastKey = key;
    this.o.onChange(pods);
  }
}
