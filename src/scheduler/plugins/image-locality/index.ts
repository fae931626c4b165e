// ImageLocality (PreScore, Score): prefer nodes that already have the pod's images
// (node.status.images), weighted by image size and by how widely the image is spread (to avoid
// piling pods on one node). How many nodes hold each image comes from the cache's image index
// (kube's ImageStateSummary.NumNodes); each node's images are normalised once per Node update.
import type { CycleState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type Handle, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.js';
import { normalizeImage } from '../../framework/image-states.js';
import { Status } from '../../framework/status.js';

export const name = 'ImageLocality';
const MB = 1024 * 1024;
const minThreshold = 23 * MB;
const maxContainerThreshold = 1000 * MB;
const stateKey = 'PreScore' + name;

export { normalizeImage };

interface State {
  images: string[];
  spread: Map<string, number>; // image -> fraction of nodes holding it
}

export function factory(_args: Record<string, any>, handle: Handle): PreScorePlugin & ScorePlugin {
  return {
    name,
    preScore(state: CycleState, pod) {
      const images = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: any) => normalizeImage(c.image ?? ''));
      const wanted = new Set(images);
      const nodes = handle.nodes();
      const counts = new Map<string, number>();
      if (handle.imageNodeCount) {
        for (const nm of wanted) {
          const c = handle.imageNodeCount(nm);
          if (c > 0) counts.set(nm, c);
        }
      } else for (const n of nodes) for (const nm of wanted) if (n.imageSizes.has(nm)) counts.set(nm, (counts.get(nm) ?? 0) + 1);
      if (counts.size === 0) return Status.skip();
      const total = Math.max(1, nodes.length);
      state.write(stateKey, { images, spread: new Map([...counts].map(([k, v]) => [k, v / total])) } satisfies State);
      return Status.success();
    },
    score(state, _pod, node) {
      const s = state.read<State>(stateKey);
      if (!s) return 0;
      let sum = 0;
      for (const want of s.images) {
        const size = node.imageSizes.get(want);
        if (size !== undefined) sum += size * (s.spread.get(want) ?? 0);
      }
      const max = maxContainerThreshold * Math.max(1, s.images.length);
      if (sum < minThreshold) return 0;
      if (sum > max) return MAX_NODE_SCORE;
      return Math.floor((MAX_NODE_SCORE * (sum - minThreshold)) / (max - minThreshold));
    },
  };
}
