// ImageLocality (Score): prefer nodes that already have the pod's images (node.status.images),
// weighted by image size and by how widely the image is spread (to avoid piling pods on one node).
import { MAX_NODE_SCORE, type Handle, type ScorePlugin } from '../../framework/interface.js';

export const name = 'ImageLocality';
const MB = 1024 * 1024;
const minThreshold = 23 * MB;
const maxContainerThreshold = 1000 * MB;

/** Normalise an image reference the way node status lists it (default registry/tag). */
export function normalizeImage(image: string): string {
  let name = image;
  if (!/[:@][^/]*$/.test(name)) name += ':latest';
  if (!name.includes('/')) name = `docker.io/library/${name}`;
  else if (!/^[^/]+[.:]/.test(name) && !name.startsWith('localhost/')) name = `docker.io/${name}`;
  return name;
}

export function factory(_args: Record<string, any>, handle: Handle): ScorePlugin {
  return {
    name,
    score(_s, pod, node) {
      const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
      const nodes = handle.nodes();
      const total = Math.max(1, nodes.length);
      let sum = 0;
      for (const c of containers) {
        const want = normalizeImage(c.image ?? '');
        const img = (node.node?.status?.images ?? []).find((i: any) => (i.names ?? []).some((n: string) => normalizeImage(n) === want));
        if (!img) continue;
        const spread = nodes.filter((n) => (n.node?.status?.images ?? []).some((i: any) => (i.names ?? []).some((x: string) => normalizeImage(x) === want))).length / total;
        sum += (img.sizeBytes ?? 0) * spread;
      }
      const max = maxContainerThreshold * Math.max(1, containers.length);
      if (sum < minThreshold) return 0;
      if (sum > max) return MAX_NODE_SCORE;
      return Math.floor((MAX_NODE_SCORE * (sum - minThreshold)) / (max - minThreshold));
    },
  };
}
