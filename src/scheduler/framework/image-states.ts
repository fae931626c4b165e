// The images a node already holds (node.status.images), by normalised reference, as
// Kubernetes' NodeInfo.ImageStates: computed once when the Node changes, so ImageLocality
// reads a map per node instead of normalising every name of every node in every cycle.

/** Normalise an image reference the way node status lists it (default registry/tag). */
export function normalizeImage(image: string): string {
  let ref = image;
  if (!/[:@][^/]*$/.test(ref)) ref += ':latest';
  if (!ref.includes('/')) ref = `docker.io/library/${ref}`;
  else if (!/^[^/]+[.:]/.test(ref) && !ref.startsWith('localhost/')) ref = `docker.io/${ref}`;
  return ref;
}

const EMPTY = new Map<string, number>();

/** Normalised name -> sizeBytes of the first image entry that lists it. */
export function nodeImageSizes(node: any): Map<string, number> {
  const images: any[] | undefined = node?.status?.images;
  if (!images?.length) return EMPTY;
  const out = new Map<string, number>();
  for (const img of images)
    for (const n of img?.names ?? []) {
      const k = normalizeImage(n);
      if (!out.has(k)) out.set(k, img.sizeBytes ?? 0);
    }
  return out;
}
