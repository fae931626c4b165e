// Image pulls for one pod (kubelet's images.imageManager EnsureImageExists): the runtime makes
// the image present per imagePullPolicy; failures back off per image (10 s doubling to 5 min,
// the crash-loop timings) and read as the kubelet's: waiting reason ErrImagePull with the
// runtime's error, then ImagePullBackOff with `Back-off pulling image "x"` until the next try;
// ErrImageNeverPull with `Container image "x" is not present with pull policy of Never`. Events:
// Pulling, Pulled, Failed, BackOff, ErrImageNeverPull. Credentials come from the pod's
// imagePullSecrets (kubernetes.io/dockerconfigjson or dockercfg), those whose registry matches.
// Divergence: the Pulled event does not give the image size.
import type { KObject, RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import type { Pod } from './pod-status.js';
import { ImagePullError, type ContainerRuntime, type RegistryAuth } from './runtime/types.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** The registry host of an image reference (docker.io when the first part is no host). */
export function registryHost(image: string): string {
  const first = image.split('/')[0];
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'docker.io';
}

function normalizeServer(key: string): string {
  const host = key.replace(/^https?:\/\//, '').split('/')[0];
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/** Registry credentials of the pod's imagePullSecrets that apply to `image`. */
export async function pullSecretAuths(client: RestClient, pod: Pod, image: string): Promise<RegistryAuth[]> {
  const host = registryHost(image);
  const out: RegistryAuth[] = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    let secret: KObject;
    try {
      secret = await client.get(resourcePath(Resources.secrets, pod.metadata.namespace, ref.name));
    } catch {
      continue; // the kubelet warns and pulls without it
    }
    const raw = secret.data?.['.dockerconfigjson'] ?? secret.data?.['.dockercfg'];
    if (!raw) continue;
    let cfg: KObject;
    try {
      cfg = JSON.parse(Buffer.from(raw, 'base64').toString());
    } catch {
      continue;
    }
    const auths: KObject = cfg.auths ?? cfg;
    for (const [server, a] of Object.entries<KObject>(auths)) {
      if (normalizeServer(server) !== host) continue;
      let { username, password } = a;
      if (!username && a.auth) [username, password] = Buffer.from(a.auth, 'base64').toString().split(/:(.*)/s);
      out.push({ server, username, password, identityToken: a.identitytoken, registryToken: a.registrytoken });
    }
  }
  return out;
}

export interface PullFailure {
  reason: string;
  message: string;
  /** When to sync again (ms). */
  retryInMs: number;
}

type Emit = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export class ImagePuller {
  private readonly backoff = new Map<string, { delayMs: number; until: number; error: string }>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly client: RestClient,
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly emit: Emit,
  ) {}

  /** Makes `image` present for a container of `pod`; undefined when it is. */
  async ensure(pod: Pod, image: string, policy: PullPolicy): Promise<PullFailure | undefined> {
    if (!this.runtime.ensureImage) return undefined;
    const now = Date.now();
    const b = this.backoff.get(image);
    if (b && now < b.until) {
      this.emit('Normal', 'BackOff', `Back-off pulling image "${image}"`);
      this.emit('Warning', 'Failed', 'Error: ImagePullBackOff');
      return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`, retryInMs: b.until - now };
    }
    const started = Date.now();
    if (policy === 'Always') this.emit('Normal', 'Pulling', `Pulling image "${image}"`);
    try {
      const auths = pod.spec?.imagePullSecrets?.length ? await pullSecretAuths(this.client, pod, image) : [];
      const r = await this.runtime.ensureImage(image, policy, auths);
      if (r.pulled) {
        if (policy !== 'Always') this.emit('Normal', 'Pulling', `Pulling image "${image}"`);
        const s = ((Date.now() - started) / 1000).toFixed(3);
        this.emit('Normal', 'Pulled', `Successfully pulled image "${image}" in ${s}s (${s}s including waiting)`);
      } else this.emit('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      this.backoff.delete(image);
      return undefined;
    } catch (e) {
      if (!(e instanceof ImagePullError)) throw e;
      if (e.reason === 'ErrImageNeverPull') {
        this.emit('Warning', 'ErrImageNeverPull', e.message);
        this.emit('Warning', 'Failed', 'Error: ErrImageNeverPull');
        return { reason: e.reason, message: e.message, retryInMs: this.initialMs };
      }
      const delayMs = b ? Math.min(b.delayMs * 2, this.maxMs) : this.initialMs;
      this.backoff.set(image, { delayMs, until: Date.now() + delayMs, error: e.message });
      if (e.reason === 'ErrImagePull') {
        if (policy !== 'Always') this.emit('Normal', 'Pulling', `Pulling image "${image}"`);
        this.emit('Warning', 'Failed', `Failed to pull image "${image}": ${e.message}`);
      }
      this.emit('Warning', 'Failed', `Error: ${e.reason}`);
      // Sync again soon: the status then moves on to ImagePullBackOff, as the kubelet's does.
      return { reason: e.reason, message: e.message, retryInMs: Math.min(1000, delayMs) };
    }
  }
}
