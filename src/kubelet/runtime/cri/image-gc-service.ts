// The image GC manager's view of a CRI runtime (images/gc.ts): images from ListImages, images
// in use from ListContainers (every container, running or exited, as kubelet's GetPods(all)),
// RemoveImage, and the image filesystem as kubelet's stats provider reads it: the mountpoint
// CRI ImageFsInfo names, its capacity and available bytes from statfs (kubelet asks cadvisor,
// which does the same). The sandbox (pause) image counts as pinned even when the runtime does
// not say so (containerd 1.6 sets no Image.pinned): it is the one the runtime's config names.
import { statfs } from 'node:fs/promises';
import type { GcImage, ImageGCService } from '../../images/gc.js';
import type { CriClient, Msg } from './client.js';

export class CriImageGCService implements ImageGCService {
  private sandboxImage?: string;

  constructor(private readonly c: CriClient) {}

  /** The runtime's sandbox image (containerd's CRI config, in Status verbose info). */
  private async pinnedByConfig(): Promise<string | undefined> {
    if (this.sandboxImage !== undefined) return this.sandboxImage;
    try {
      const { info } = await this.c.runtime('Status', { verbose: true });
      const cfg = info?.config ? JSON.parse(info.config) : {};
      this.sandboxImage = String(cfg.sandboxImage ?? cfg.sandbox_image ?? '');
    } catch {
      this.sandboxImage = '';
    }
    return this.sandboxImage || undefined;
  }

  async listImages(): Promise<GcImage[]> {
    const [{ images }, sandbox] = await Promise.all([this.c.image('ListImages', {}), this.pinnedByConfig()]);
    return (images ?? []).map((i: Msg) => {
      const repoTags: string[] = i.repo_tags ?? [];
      return { id: i.id, repoTags, size: Number(i.size ?? 0), pinned: !!i.pinned || (!!sandbox && (repoTags.includes(sandbox) || i.id === sandbox)) };
    });
  }

  async imagesInUse(): Promise<Set<string>> {
    const { containers } = await this.c.runtime('ListContainers', { filter: {} });
    const out = new Set<string>();
    for (const c of containers ?? []) {
      if (c.image_ref) out.add(c.image_ref);
      if (c.image?.image) out.add(c.image.image);
    }
    return out;
  }

  async removeImage(id: string): Promise<void> {
    await this.c.image('RemoveImage', { image: { image: id } });
  }

  async imageFsStats(): Promise<{ capacityBytes: number; availableBytes: number }> {
    const { image_filesystems } = await this.c.image('ImageFsInfo', {});
    const mount = image_filesystems?.[0]?.fs_id?.mountpoint;
    if (!mount) throw new Error('failed to get imageFs info: no image filesystem reported by the runtime');
    const s = await statfs(mount);
    return { capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
  }
}
