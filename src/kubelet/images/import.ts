// Loading image archives into a node's containerd, in the namespace the CRI uses (k8s.io), as
// `keelson images import` does (k3s' air-gap images, `ctr images import` underneath): an OCI
// image layout tar or a docker-archive tar (`docker save`), unpacked for the overlayfs
// snapshotter so pods can use them with imagePullPolicy Never or IfNotPresent at once.
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ctr, ctrOk } from '../runtime/cri/ctr.js';
import { ociArchive, type BuiltImage } from './oci-build.js';

/** containerd's namespace for Kubernetes (the CRI plugin's). */
export const K8S_NAMESPACE = 'k8s.io';

export interface ImageInfo {
  ref: string;
  digest: string;
  size: string;
}

/** Imports one archive file; returns the references it brought (e.g. localhost/bars/busybox:1). */
export async function importImageArchive(address: string, file: string): Promise<string[]> {
  const out = await ctrOk(address, ['images', 'import', file], { namespace: K8S_NAMESPACE, timeoutMs: 300_000 });
  // ctr prints "unpacking <ref> (sha256:...)...done" for each image it unpacks.
  const refs = [...out.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]+\)/gm)].map((m) => m[1]);
  return [...new Set(refs)];
}

/** The images in the node's k8s.io namespace. */
export async function listImages(address: string): Promise<ImageInfo[]> {
  const out = await ctrOk(address, ['images', 'ls'], { namespace: K8S_NAMESPACE });
  const lines = out.split('\n').slice(1).filter(Boolean);
  return lines.map((l) => {
    const [ref, , digest, size, unit] = l.split(/\s+/);
    return { ref, digest, size: `${size} ${unit}` };
  });
}

/** Whether `ref` is in the node's k8s.io namespace. */
export async function hasImage(address: string, ref: string): Promise<boolean> {
  const r = await ctr(address, ['images', 'ls', '-q', `name==${ref}`], { namespace: K8S_NAMESPACE });
  return r.code === 0 && r.stdout.split('\n').includes(ref);
}

/** Imports images built in process (through a temporary OCI archive). */
export async function importBuiltImages(address: string, images: BuiltImage[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'keelson-images-'));
  try {
    const file = join(dir, 'images.tar');
    await writeFile(file, ociArchive(images));
    return await importImageArchive(address, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
