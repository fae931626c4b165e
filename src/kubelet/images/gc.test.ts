// The image GC manager over a fake image service and a fake clock: thresholds, LRU order,
// minimum and maximum age, pinned and in-use images, kubelet's errors and Node events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logger } from '../../util/log.js';
import { registry } from '../../util/metrics.js';
import { ImageGCManager, validateImageGCPolicy, type GcImage, type ImageGCPolicy, type ImageGCService } from './gc.js';

const MB = 1024 * 1024;

class FakeImages implements ImageGCService {
  images = new Map<string, GcImage>();
  inUse = new Set<string>();
  removed: string[] = [];
  failRemove = new Set<string>();
  capacity = 1000 * MB;
  /** Bytes used by things other than images. */
  other = 0;
  add(id: string, sizeMB: number, extra: Partial<GcImage> = {}): void {
    this.images.set(id, { id, repoTags: [`localhost/keelson-test/${id}:1`], size: sizeMB * MB, pinned: false, ...extra });
  }
  async listImages(): Promise<GcImage[]> {
    return [...this.images.values()];
  }
  async imagesInUse(): Promise<Set<string>> {
    return new Set(this.inUse);
  }
  async removeImage(id: string): Promise<void> {
    if (this.failRemove.has(id)) throw new Error(`rpc error: code = Unknown desc = failed to remove ${id}`);
    this.images.delete(id);
    this.removed.push(id);
  }
  async imageFsStats(): Promise<{ capacityBytes: number; availableBytes: number }> {
    let used = this.other;
    for (const i of this.images.values()) used += i.size;
    return { capacityBytes: this.capacity, availableBytes: this.capacity - used };
  }
}

function setup(policy: Partial<ImageGCPolicy> = {}) {
  const svc = new FakeImages();
  let t = 1_000_000_000;
  const events: Array<[string, string, string]> = [];
  const gc = new ImageGCManager({ service: svc, policy, log: logger('test'), nodeEvent: (...e) => events.push(e), now: () => t });
  return { svc, gc, events, advance: (ms: number) => (t += ms) };
}

async function counterValue(reason: string): Promise<number> {
  const m = await registry.getSingleMetric('kubelet_image_garbage_collected_total')?.get();
  return m?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('image GC manager', () => {
  it('does nothing below the high threshold', async () => {
    const { svc, gc, events } = setup();
    svc.add('a', 100);
    svc.other = 600 * MB; // 70 % used
    await gc.detectImages(0);
    await gc.garbageCollect();
    assert.deepEqual(svc.removed, []);
    assert.deepEqual(events, []);
  });

  it('frees least recently used images down to the low threshold; in-use and pinned images stay', async () => {
    const { svc, gc, events, advance } = setup();
    svc.other = 600 * MB;
    for (const id of ['old', 'older', 'used', 'pause', 'spare']) svc.add(id, 60, id === 'pause' ? { pinned: true } : {});
    await gc.detectImages(0);
    // Use every image once, in this order: older, old, spare (older is the least recently used).
    for (const id of ['older', 'old', 'spare']) {
      advance(1000);
      svc.inUse = new Set([id]);
      await gc.detectImages(0);
    }
    svc.inUse = new Set(['used']);
    advance(3 * 60_000);
    const before = await counterValue('space');
    // 900 MB used of 1000: 90 % >= 85; to reach 80 %: free 100 MB = two 60 MB images.
    await gc.garbageCollect();
    assert.deepEqual(svc.removed, ['older', 'old']);
    assert.deepEqual(events, []);
    assert.equal((await counterValue('space')) - before, 2);
    assert.ok(svc.images.has('used') && svc.images.has('pause') && svc.images.has('spare'));
  });

  it('keeps images younger than the minimum age and reports FreeDiskSpaceFailed with kubelet\'s message', async () => {
    const { svc, gc, events, advance } = setup({ minAgeMs: 2 * 60_000 });
    svc.other = 750 * MB; // with the fresh image: 85 % used
    await gc.detectImages(0);
    svc.add('fresh', 100); // first detected now (not at the initial look)
    advance(1000);
    await assert.rejects(gc.garbageCollect(), /^Error: Failed to garbage collect required amount of images\./);
    assert.deepEqual(svc.removed, []);
    const amount = Math.trunc((1000 * MB * 20) / 100) - 150 * MB;
    assert.deepEqual(events, [['Warning', 'FreeDiskSpaceFailed', `Failed to garbage collect required amount of images. Attempted to free ${amount} bytes, but only found 0 bytes eligible to free.`]]);
    advance(2 * 60_000);
    await gc.garbageCollect();
    assert.deepEqual(svc.removed, ['fresh']);
  });

  it('images present at the first look count as old (kubelet\'s initial detection)', async () => {
    const { svc, gc } = setup({ minAgeMs: 60 * 60_000 });
    svc.add('present', 200);
    svc.other = 700 * MB;
    await gc.detectImages(0);
    await gc.garbageCollect();
    assert.deepEqual(svc.removed, ['present']);
  });

  it('an image in use by name (repo tag) is in use too', async () => {
    const { svc, gc } = setup({ highThresholdPercent: 0, lowThresholdPercent: 0 });
    svc.add('a', 10);
    svc.add('b', 10);
    svc.inUse = new Set(['localhost/keelson-test/a:1']);
    await gc.detectImages(0);
    await assert.rejects(gc.garbageCollect(), /Failed to garbage collect required amount/);
    assert.deepEqual(svc.removed, ['b']);
  });

  it('removes images unused for longer than the maximum age, only once that long has passed since start', async () => {
    const { svc, gc, advance } = setup({ maxAgeMs: 10 * 60_000, minAgeMs: 60_000 });
    svc.add('idle', 10);
    svc.add('busy', 10);
    svc.inUse = new Set(['busy']);
    await gc.detectImages(0);
    advance(5 * 60_000);
    await gc.garbageCollect();
    assert.deepEqual(svc.removed, [], 'not before maxAge since the manager began');
    const before = await counterValue('age');
    advance(6 * 60_000);
    await gc.garbageCollect();
    assert.deepEqual(svc.removed, ['idle']);
    assert.equal((await counterValue('age')) - before, 1);
  });

  it('a failed removal is an error naming it; ImageGCFailed only when failing twice in a row', async () => {
    const { svc, gc, events } = setup({ highThresholdPercent: 50, lowThresholdPercent: 40 });
    svc.add('stuck', 600);
    svc.failRemove.add('stuck');
    await gc.tick();
    assert.deepEqual(events, []);
    await gc.tick();
    assert.equal(events.length, 1);
    assert.equal(events[0][0], 'Warning');
    assert.equal(events[0][1], 'ImageGCFailed');
    assert.match(events[0][2], /^wanted to free \d+ bytes, but freed 0 bytes space with errors in image deletion: rpc error: code = Unknown desc = failed to remove stuck$/);
    svc.failRemove.clear();
    await gc.tick();
    assert.deepEqual(svc.removed, ['stuck']);
    assert.equal(events.length, 1);
  });

  it('capacity 0 is InvalidDiskCapacity', async () => {
    const { svc, gc, events } = setup();
    svc.capacity = 0;
    await assert.rejects(gc.garbageCollect(), /^Error: invalid capacity 0 on image filesystem$/);
    assert.deepEqual(events, [['Warning', 'InvalidDiskCapacity', 'invalid capacity 0 on image filesystem']]);
  });

  it('validates the policy as kubelet does', () => {
    assert.deepEqual(validateImageGCPolicy({ highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 0, maxAgeMs: 0 }), []);
    assert.deepEqual(validateImageGCPolicy({ highThresholdPercent: 101, lowThresholdPercent: 80, minAgeMs: 0, maxAgeMs: 0 }), ['invalid HighThresholdPercent 101, must be in range [0-100]']);
    assert.deepEqual(validateImageGCPolicy({ highThresholdPercent: 70, lowThresholdPercent: 80, minAgeMs: 0, maxAgeMs: 0 }), ['LowThresholdPercent 80 can not be higher than HighThresholdPercent 70']);
    assert.throws(() => new ImageGCManager({ service: new FakeImages(), log: logger('test'), policy: { lowThresholdPercent: -1 } }), /invalid LowThresholdPercent -1, must be in range \[0-100\]/);
  });
});
