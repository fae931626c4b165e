// The image GC flags as `keelson kubelet` and `keelson server` parse them: kubelet's defaults,
// durations, and kubelet's validation errors for bad values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { imageGCFlags, imageGCOptions, type ImageGCFlags } from './image-gc-flags.js';

const parse = (args: string[]) => imageGCOptions(imageGCFlags(new Command().exitOverride()).parse(args, { from: 'user' }).opts<ImageGCFlags>());

describe('image GC flags', () => {
  it("defaults to kubelet's: 85 / 80 %, 2m minimum age, no maximum age, every 5m", () => {
    assert.deepEqual(parse([]), { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000, maxAgeMs: 0, periodMs: 300_000 });
  });

  it('takes thresholds, ages and the period', () => {
    assert.deepEqual(parse(['--image-gc-high-threshold', '1', '--image-gc-low-threshold', '0', '--image-minimum-gc-age', '30s', '--image-maximum-gc-age', '1h', '--image-gc-period', '1s']), { highThresholdPercent: 1, lowThresholdPercent: 0, minAgeMs: 30_000, maxAgeMs: 3_600_000, periodMs: 1000 });
  });

  it('rejects bad values with kubelet words', () => {
    assert.throws(() => parse(['--image-gc-high-threshold', 'x']), /^Error: invalid argument "x" for "--image-gc-high-threshold" flag: strconv.ParseInt: parsing "x": invalid syntax$/);
    assert.throws(() => parse(['--image-gc-high-threshold', '101']), /invalid configuration: invalid HighThresholdPercent 101, must be in range \[0-100\]/);
    assert.throws(() => parse(['--image-gc-high-threshold', '70', '--image-gc-low-threshold', '80']), /LowThresholdPercent 80 can not be higher than HighThresholdPercent 70/);
    assert.throws(() => parse(['--image-minimum-gc-age', 'soon']), /invalid duration "soon"/);
  });
});
