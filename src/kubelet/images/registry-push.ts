// Pushing a built image to a registry over the OCI distribution API (plain HTTP, no auth: the
// local test registry): each blob is checked with HEAD /v2/<name>/blobs/<digest> and, when
// missing, uploaded with POST /v2/<name>/blobs/uploads/ then a monolithic PUT <Location>
// ?digest=<digest>; the manifest last with PUT /v2/<name>/manifests/<tag>.
import type { Blob, BuiltImage } from './oci-build.js';

export interface ParsedRef {
  /** host[:port] */
  registry: string;
  /** repository path, e.g. keelson/busybox */
  repository: string;
  tag: string;
}

/** Splits `127.0.0.1:5000/keelson/busybox:1` into registry, repository and tag. */
export function parseRef(ref: string): ParsedRef {
  const slash = ref.indexOf('/');
  const first = slash > 0 ? ref.slice(0, slash) : '';
  if (!first || !(first.includes('.') || first.includes(':') || first === 'localhost')) throw new Error(`image reference "${ref}" names no registry host (expected host[:port]/name[:tag])`);
  const rest = ref.slice(slash + 1);
  const colon = rest.lastIndexOf(':');
  const repository = colon > 0 ? rest.slice(0, colon) : rest;
  const tag = colon > 0 ? rest.slice(colon + 1) : 'latest';
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repository)) throw new Error(`image reference "${ref}": invalid repository name "${repository}"`);
  return { registry: first, repository, tag };
}

const bytes = (b: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(b);

async function check(res: Response, what: string): Promise<void> {
  if (res.ok) return;
  const body = await res.text().catch(() => '');
  throw new Error(`registry: ${what}: HTTP ${res.status} ${body.slice(0, 300)}`);
}

async function pushBlob(base: string, repo: string, b: Blob): Promise<boolean> {
  const head = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`, { method: 'HEAD' });
  if (head.ok) return false;
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await check(start, `start upload of ${b.digest}`);
  const loc = start.headers.get('location');
  if (!loc) throw new Error('registry: upload started without a Location header');
  const url = new URL(loc, base);
  url.searchParams.set('digest', b.digest);
  const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(b.data.length) }, body: bytes(b.data) });
  await check(put, `upload ${b.digest}`);
  return true;
}

/** Pushes `img` as `ref` (which names the registry, e.g. 127.0.0.1:5000/keelson/busybox:1). */
export async function pushImage(img: BuiltImage, ref: string): Promise<{ digest: string; uploaded: number }> {
  const { registry, repository, tag } = parseRef(ref);
  const base = `http://${registry}`;
  let uploaded = 0;
  for (const b of [...img.layers, img.config]) if (await pushBlob(base, repository, b)) uploaded++;
  const res = await fetch(`${base}/v2/${repository}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': img.manifest.mediaType }, body: bytes(img.manifest.data) });
  await check(res, `put manifest ${repository}:${tag}`);
  return { digest: res.headers.get('docker-content-digest') ?? img.manifest.digest, uploaded };
}
