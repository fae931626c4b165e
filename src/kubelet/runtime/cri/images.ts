// Images through the CRI ImageService, per imagePullPolicy (kubelet's EnsureImageExists without
// the back-off, which the kubelet's image-pull.ts keeps): Never uses what is present or fails
// with ErrImageNeverPull, IfNotPresent pulls only when missing, Always pulls every time (the
// registry answers with the same digest when nothing changed). Credentials are tried in order,
// then an anonymous pull when none was given. Errors read like the Go kubelet's:
// `rpc error: code = NotFound desc = failed to pull and unpack image ...`.
import { ImagePullError, type RegistryAuth } from '../types.js';
import type { CriClient, Msg } from './client.js';

/** The image's id when present in the runtime, else undefined. */
export async function presentImage(c: CriClient, image: string): Promise<string | undefined> {
  const res = await c.image('ImageStatus', { image: { image } });
  return res.image?.id || undefined;
}

function authMsg(a: RegistryAuth): Msg {
  return { username: a.username ?? '', password: a.password ?? '', auth: a.auth ?? '', server_address: a.server, identity_token: a.identityToken ?? '', registry_token: a.registryToken ?? '' };
}

/** Pulls `image` (one try per credential, anonymous when none); resolves with the image ref. */
export async function pullImage(c: CriClient, image: string, auths: RegistryAuth[] = []): Promise<string> {
  const tries: Array<Msg | undefined> = auths.length ? auths.map(authMsg) : [undefined];
  let last: Error | undefined;
  for (const auth of tries) {
    try {
      const res = await c.image('PullImage', { image: { image }, ...(auth ? { auth } : {}) }, 30 * 60_000);
      return res.image_ref;
    } catch (e) {
      last = e as Error;
    }
  }
  throw new ImagePullError('ErrImagePull', last!.message);
}

export async function ensureImage(c: CriClient, image: string, policy: 'Always' | 'IfNotPresent' | 'Never', auths?: RegistryAuth[]): Promise<{ ref: string; pulled: boolean }> {
  if (!image) throw new ImagePullError('InvalidImageName', 'Failed to apply default image tag "": couldn\'t parse image name "": invalid reference format');
  const present = policy === 'Always' ? undefined : await presentImage(c, image);
  if (present) return { ref: present, pulled: false };
  if (policy === 'Never') throw new ImagePullError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
  return { ref: await pullImage(c, image, auths), pulled: true };
}
