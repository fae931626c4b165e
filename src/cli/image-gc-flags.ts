// The kubelet's image garbage collection flags, shared by `keelson kubelet` and `keelson server`
// (kubelet names and defaults; --image-gc-period is keelson's, kubelet has a fixed 5 min).
import type { Command } from 'commander';
import { validateImageGCPolicy, type ImageGCPolicy } from '../kubelet/images/gc.js';
import { parseDuration } from '../util/duration.js';

export interface ImageGCFlags {
  imageGcHighThreshold: string;
  imageGcLowThreshold: string;
  imageMinimumGcAge: string;
  imageMaximumGcAge: string;
  imageGcPeriod: string;
}

export function imageGCFlags(cmd: Command): Command {
  return cmd
    .option('--image-gc-high-threshold <percent>', 'image filesystem usage percent at or above which image garbage collection runs (100 disables it)', '85')
    .option('--image-gc-low-threshold <percent>', 'image filesystem usage percent image garbage collection frees down to', '80')
    .option('--image-minimum-gc-age <d>', 'minimum age of an unused image before it may be garbage collected', '2m')
    .option('--image-maximum-gc-age <d>', 'unused images older than this are garbage collected regardless of disk usage (0 = never)', '0s')
    .option('--image-gc-period <d>', 'how often image garbage collection runs (keelson flag; kubelet: 5m)', '5m');
}

/** The policy from the flags; throws kubelet's validation errors. */
export function imageGCOptions(f: ImageGCFlags): Partial<ImageGCPolicy> & { periodMs: number } {
  const int = (v: string, flag: string) => {
    if (!/^-?\d+$/.test(v.trim())) throw new Error(`invalid argument "${v}" for "${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number(v);
  };
  const policy: ImageGCPolicy = {
    highThresholdPercent: int(f.imageGcHighThreshold, '--image-gc-high-threshold'),
    lowThresholdPercent: int(f.imageGcLowThreshold, '--image-gc-low-threshold'),
    minAgeMs: parseDuration(f.imageMinimumGcAge),
    maxAgeMs: parseDuration(f.imageMaximumGcAge),
  };
  const errs = validateImageGCPolicy(policy);
  if (errs.length) throw new Error(`invalid configuration: ${errs.join('; ')}`);
  return { ...policy, periodMs: parseDuration(f.imageGcPeriod) };
}
