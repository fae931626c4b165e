// Image garbage collection, as the kubelet's image GC manager (pkg/kubelet/images): every image
// the runtime holds gets a record (first detected, last used, size, pinned). Images present when
// the manager first looks count as detected "long ago", as kubelet's initial detection does.
// A collection (every --image-gc period, 5 min) first removes images unused for longer than
// --image-maximum-gc-age (when set, and only once that long has passed since the manager
// began), then reads the image filesystem; when its usage is at or above
// --image-gc-high-threshold percent it removes unused, unpinned images older than
// --image-minimum-gc-age, least recently used first, until the bytes needed to get down to
// --image-gc-low-threshold are freed. Not freeing enough is the FreeDiskSpaceFailed event on
// the Node; a collection failing twice in a row is ImageGCFailed (kubelet's messages).
// Runtime-agnostic: the runtime side is an ImageGCService (cri/image-gc-service.ts).
import type { Logger } from '../../util/log.js';
import { prom, registry } from '../../util/metrics.js';
import { goDuration } from '../pod-worker.js';

export interface GcImage {
  id: string;
  repoTags: string[];
  size: number;
  /** The runtime says it must not be removed (CRI Image.pinned, e.g. the sandbox image). */
  pinned: boolean;
}

/** What the manager needs from the runtime and the node. */
export interface ImageGCService {
  listImages(): Promise<GcImage[]>;
  /** Ids (or refs) of the images of every container the runtime has, running or not. */
  imagesInUse(): Promise<Set<string>>;
  removeImage(id: string): Promise<void>;
  /** The filesystem holding the images (kubelet: cadvisor on the ImageFsInfo mountpoint). */
  imageFsStats(): Promise<{ capacityBytes: number; availableBytes: number }>;
}

export interface ImageGCPolicy {
  /** --image-gc-high-threshold (85): usage percent at or above which GC runs; 100 disables it. */
  highThresholdPercent: number;
  /** --image-gc-low-threshold (80): usage percent GC frees down to. */
  lowThresholdPercent: number;
  /** --image-minimum-gc-age (2m): an image younger than this (since first detected) stays. */
  minAgeMs: number;
  /** --image-maximum-gc-age (0 = off): an image unused for longer is removed regardless of usage. */
  maxAgeMs: number;
}

export const defaultImageGCPolicy: ImageGCPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 2 * 60_000, maxAgeMs: 0 };

/** kubelet's ImageGCPeriod. */
export const IMAGE_GC_PERIOD_MS = 5 * 60_000;

export type NodeEventSink = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

interface ImageRecord {
  firstDetected: number;
  lastUsed: number;
  size: number;
  pinned: boolean;
}

/** The policy's errors, worded as kubelet's NewImageGCManager and config validation. */
export function validateImageGCPolicy(p: ImageGCPolicy): string[] {
  const errs: string[] = [];
  const pct = (v: number) => Number.isInteger(v) && v >= 0 && v <= 100;
  if (!pct(p.highThresholdPercent)) errs.push(`invalid HighThresholdPercent ${p.highThresholdPercent}, must be in range [0-100]`);
  if (!pct(p.lowThresholdPercent)) errs.push(`invalid LowThresholdPercent ${p.lowThresholdPercent}, must be in range [0-100]`);
  if (!errs.length && p.lowThresholdPercent > p.highThresholdPercent) errs.push(`LowThresholdPercent ${p.lowThresholdPercent} can not be higher than HighThresholdPercent ${p.highThresholdPercent}`);
  if (!(p.minAgeMs >= 0)) errs.push(`invalid MinAge ${p.minAgeMs}ms, must not be negative`);
  if (!(p.maxAgeMs >= 0)) errs.push(`invalid MaxAge ${p.maxAgeMs}ms, must not be negative`);
  if (p.maxAgeMs > 0 && p.maxAgeMs <= p.minAgeMs) errs.push(`imageMaximumGCAge ${p.maxAgeMs}ms must be greater than imageMinimumGCAge ${p.minAgeMs}ms`);
  return errs;
}

function collectedTotal(): import('prom-client').Counter<'reason'> {
  const name = 'kubelet_image_garbage_collected_total';
  return (registry.getSingleMetric(name) as import('prom-client').Counter<'reason'> | undefined) ?? new prom.Counter({ name, help: 'Total number of images garbage collected by the kubelet, whether through disk usage or image age.', labelNames: ['reason'], registers: [registry] });
}

export interface ImageGCManagerOptions {
  service: ImageGCService;
  policy?: Partial<ImageGCPolicy>;
  log: Logger;
  /** Events about the Node (FreeDiskSpaceFailed, ImageGCFailed, InvalidDiskCapacity). */
  nodeEvent?: NodeEventSink;
  /** Injectable clock (epoch ms). */
  now?: () => number;
}

export class ImageGCManager {
  readonly policy: ImageGCPolicy;
  private readonly records = new Map<string, ImageRecord>();
  private initialized = false;
  private readonly now: () => number;
  private readonly began: number;
  private prevFailed = false;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly counter = collectedTotal();

  constructor(private readonly o: ImageGCManagerOptions) {
    this.policy = { ...defaultImageGCPolicy, ...o.policy };
    const errs = validateImageGCPolicy(this.policy);
    if (errs.length) throw new Error(errs.join('; '));
    this.now = o.now ?? Date.now;
    this.began = this.now();
  }

  /** Records every image (new ones as first detected at `at`; 0 on the first look) and marks
   * those in use as used now; returns the images in use. */
  async detectImages(at: number): Promise<Set<string>> {
    const [images, inUse] = await Promise.all([this.o.service.listImages(), this.o.service.imagesInUse()]);
    const now = this.now();
    const current = new Set<string>();
    for (const img of images) {
      current.add(img.id);
      let r = this.records.get(img.id);
      if (!r) this.records.set(img.id, (r = { firstDetected: at, lastUsed: 0, size: 0, pinned: false }));
      if (inUse.has(img.id) || img.repoTags.some((t) => inUse.has(t))) r.lastUsed = now;
      r.size = img.size;
      r.pinned = img.pinned;
    }
    for (const id of this.records.keys()) if (!current.has(id)) this.records.delete(id);
    this.initialized = true;
    return inUse;
  }

  /** Unused, unpinned images, least recently used first (then first detected). */
  private async evictionOrder(freeTime: number): Promise<Array<{ id: string } & ImageRecord>> {
    await this.detectImages(freeTime);
    const out: Array<{ id: string } & ImageRecord> = [];
    for (const [id, r] of this.records) {
      if (r.pinned) {
        this.o.log.debug({ imageID: id }, 'Image is pinned, skipping garbage collection');
        continue;
      }
      if (r.lastUsed >= freeTime) continue;
      out.push({ id, ...r });
    }
    return out.sort((a, b) => (a.lastUsed === b.lastUsed ? a.firstDetected - b.firstDetected : a.lastUsed - b.lastUsed));
  }

  private async freeImage(id: string, size: number, reason: 'age' | 'space'): Promise<void> {
    this.o.log.info({ imageID: id, size }, 'Removing image to free bytes');
    await this.o.service.removeImage(id);
    this.records.delete(id);
    this.counter.inc({ reason });
  }

  /** One collection; rejects with kubelet's error when it could not do what the policy asks. */
  async garbageCollect(): Promise<void> {
    const freeTime = this.now();
    let images = await this.evictionOrder(freeTime);
    images = await this.freeOldImages(images, freeTime);
    const fs = await this.o.service.imageFsStats();
    const capacity = fs.capacityBytes;
    let available = fs.availableBytes;
    if (available > capacity) {
      this.o.log.info({ available, capacity }, 'Availability is larger than capacity');
      available = capacity;
    }
    if (!capacity) {
      const msg = 'invalid capacity 0 on image filesystem';
      this.o.nodeEvent?.('Warning', 'InvalidDiskCapacity', msg);
      throw new Error(msg);
    }
    const usage = 100 - Math.trunc((available * 100) / capacity);
    if (usage < this.policy.highThresholdPercent) return;
    const amountToFree = Math.trunc((capacity * (100 - this.policy.lowThresholdPercent)) / 100) - available;
    this.o.log.info({ usage, highThreshold: this.policy.highThresholdPercent, amountToFree, lowThreshold: this.policy.lowThresholdPercent }, 'Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold');
    const freed = await this.freeSpace(amountToFree, freeTime, images);
    if (freed < amountToFree) {
      const msg = `Failed to garbage collect required amount of images. Attempted to free ${amountToFree} bytes, but only found ${freed} bytes eligible to free.`;
      this.o.nodeEvent?.('Warning', 'FreeDiskSpaceFailed', msg);
      throw new Error(msg);
    }
  }

  private async freeOldImages(images: Array<{ id: string } & ImageRecord>, freeTime: number): Promise<Array<{ id: string } & ImageRecord>> {
    const maxAge = this.policy.maxAgeMs;
    // Only once maxAge has passed since we began: records made at start know no real last use.
    if (!maxAge || freeTime - this.began <= maxAge) return images;
    const errors: string[] = [];
    const remaining: typeof images = [];
    for (const img of images) {
      if (freeTime - img.lastUsed > maxAge) {
        try {
          await this.freeImage(img.id, img.size, 'age');
          continue;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      remaining.push(img);
    }
    if (errors.length) throw new Error(`wanted to free images older than ${goDuration(maxAge)}, encountered errors in image deletion: ${aggregate(errors)}`);
    return remaining;
  }

  private async freeSpace(bytesToFree: number, freeTime: number, images: Array<{ id: string } & ImageRecord>): Promise<number> {
    const errors: string[] = [];
    let freed = 0;
    for (const img of images) {
      if (img.lastUsed >= freeTime) continue;
      if (freeTime - img.firstDetected < this.policy.minAgeMs) {
        this.o.log.debug({ imageID: img.id }, "Image ID's age is less than the policy's minAge, not eligible for garbage collection");
        continue;
      }
      try {
        await this.freeImage(img.id, img.size, 'space');
      } catch (e) {
        errors.push((e as Error).message);
        continue;
      }
      freed += img.size;
      if (freed >= bytesToFree) break;
    }
    if (errors.length) throw new Error(`wanted to free ${bytesToFree} bytes, but freed ${freed} bytes space with errors in image deletion: ${aggregate(errors)}`);
    return freed;
  }

  /** One periodic round as the kubelet's GC loop runs it: a failure is logged; a second one in
   * a row is also the ImageGCFailed event on the Node. */
  async tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        if (!this.initialized) await this.detectImages(0);
        await this.garbageCollect();
        if (this.prevFailed) this.o.log.info('Image garbage collection succeeded');
        this.prevFailed = false;
      } catch (e) {
        const msg = (e as Error).message;
        if (this.prevFailed) {
          this.o.log.error({ err: msg }, 'Image garbage collection failed multiple times in a row');
          this.o.nodeEvent?.('Warning', 'ImageGCFailed', msg);
        } else this.o.log.error({ err: msg }, 'Image garbage collection failed once. Stats initialization may not have completed yet');
        this.prevFailed = true;
      }
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Periodic collection every `periodMs` (kubelet: 5 min); images are detected at once (so
   * those present now count as old). A high threshold of 100 disables image GC, as in kubelet. */
  start(periodMs = IMAGE_GC_PERIOD_MS): void {
    if (this.policy.highThresholdPercent === 100) {
      this.o.log.info('ImageGCHighThresholdPercent is set 100, Disable image GC');
      return;
    }
    void this.detectImages(0).catch((e) => this.o.log.info({ err: (e as Error).message }, 'Failed to monitor images'));
    this.timer = setInterval(() => void this.tick(), periodMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}
