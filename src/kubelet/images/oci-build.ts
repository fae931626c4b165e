// Builds OCI images without a container engine or the network: one layer (gzip, or a plain tar
// when asked: the pause image, built while a node starts, skips the compression) from a list of
// files, an image config, a manifest (application/vnd.oci.image.manifest.v1+json) and, for
// `ociArchive`, an OCI image layout (oci-layout, index.json, blobs/sha256/...) as a tar, which
// `ctr images import` and `keelson images import` load. `pushImage` (registry-push.ts) sends
// the same blobs to a registry. Single-layer, linux/amd64 (the host's architecture) images only.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { arch } from 'node:os';
import { writeTar, type TarEntry } from './tar.js';

export const MEDIA_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const MEDIA_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

/** The process part of an image config (OCI image-spec config.config). */
export interface ImageProcessConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
}

export interface Blob {
  mediaType: string;
  digest: string;
  data: Buffer;
}

export interface BuiltImage {
  /** Full reference, e.g. localhost/keelson/pause:1. */
  ref: string;
  manifest: Blob;
  config: Blob;
  layers: Blob[];
}

export const sha256 = (b: Buffer | string): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

const blob = (mediaType: string, data: Buffer): Blob => ({ mediaType, digest: sha256(data), data });
const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.data.length });

/** The host's architecture in OCI's words. */
export function ociArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'arm64' ? 'arm64' : a === 'arm' ? 'arm' : a === 'ia32' ? '386' : a;
}

/** An image of one layer holding `files`, run as `config` says; the layer gzipped unless
 * `compress` is false. */
export function buildImage(ref: string, files: TarEntry[], config: ImageProcessConfig, o: { compress?: boolean } = {}): BuiltImage {
  const tar = writeTar(files);
  const layer = o.compress === false ? blob(MEDIA_LAYER_TAR, tar) : blob(MEDIA_LAYER, gzipSync(tar, { level: 6 }));
  const cfg = {
    architecture: ociArch(),
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config,
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'keelson oci-build' }],
  };
  const configBlob = blob(MEDIA_CONFIG, Buffer.from(JSON.stringify(cfg)));
  const manifest = { schemaVersion: 2, mediaType: MEDIA_MANIFEST, config: descriptor(configBlob), layers: [descriptor(layer)] };
  return { ref, manifest: blob(MEDIA_MANIFEST, Buffer.from(JSON.stringify(manifest))), config: configBlob, layers: [layer] };
}

/** The tag part of a reference ("1" of localhost/keelson/pause:1; "latest" when none). */
export function refTag(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : 'latest';
}

/** An OCI image layout as a tar: what `ctr images import` takes (the name comes from the
 * io.containerd.image.name annotation; org.opencontainers.image.ref.name holds the tag). */
export function ociArchive(images: BuiltImage[]): Buffer {
  const entries: TarEntry[] = [
    { path: 'oci-layout', type: 'file', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    {
      path: 'index.json',
      type: 'file',
      data: Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          manifests: images.map((i) => ({
            ...descriptor(i.manifest),
            annotations: { 'io.containerd.image.name': i.ref, 'org.opencontainers.image.ref.name': refTag(i.ref) },
          })),
        }),
      ),
    },
    { path: 'blobs', type: 'dir' },
    { path: 'blobs/sha256', type: 'dir' },
  ];
  const seen = new Set<string>();
  for (const i of images)
    for (const b of [i.manifest, i.config, ...i.layers]) {
      if (seen.has(b.digest)) continue;
      seen.add(b.digest);
      entries.push({ path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`, type: 'file', data: b.data });
    }
  return writeTar(entries);
}
