// Turning the metrics' recommendation into the replica count the HPA applies (kube's
// normalizeDesiredReplicas / normalizeDesiredReplicasWithBehaviors): stabilization over the
// recent recommendations (scale up to the lowest of the scaleUp window, down to the highest of
// the scaleDown window; defaults 0 s and 300 s), the scaling policies' rate limits over their
// periods from the recorded scale events (selectPolicy Max/Min/Disabled), and min/max replicas,
// with the AbleToScale / ScalingLimited reasons and messages kube sets. Without spec.behavior
// kube's older rules apply: only scale-down is stabilized (--horizontal-pod-autoscaler-
// downscale-stabilization, 5 min) and scale-up is limited to max(2 * current, 4).
export interface Recommendation {
  at: number;
  replicas: number;
}
export interface ScaleEvent {
  at: number;
  change: number;
}
export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}
export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}
export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

export interface NormalizeInput {
  key: string;
  now: number;
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior?: Behavior;
  /** Window for HPAs without behavior (ms). */
  downscaleStabilizationMs: number;
}

export interface Normalized {
  replicas: number;
  ableToScale: { reason: string; message: string };
  limited: { status: 'True' | 'False'; reason: string; message: string };
}

const tooMany = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const tooFew = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
const upLimit = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const downLimit = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
const inRange = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };

/** Upper bound of replicas the scale-up policies allow now. */
export function scaleUpLimit(current: number, events: ScaleEvent[], now: number, rules: ScalingRules): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies ?? []) {
    const added = events.filter((e) => e.change > 0 && e.at > now - p.periodSeconds * 1000).reduce((a, e) => a + e.change, 0);
    const start = current - added;
    const limit = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.min(result, limit) : Math.max(result, limit);
  }
  return Number.isFinite(result) ? result : current;
}

/** Lower bound of replicas the scale-down policies allow now. */
export function scaleDownLimit(current: number, events: ScaleEvent[], now: number, rules: ScalingRules): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const removed = events.filter((e) => e.change < 0 && e.at > now - p.periodSeconds * 1000).reduce((a, e) => a - e.change, 0);
    const start = current + removed;
    const limit = p.type === 'Pods' ? start - p.value : Math.floor(start * (1 - p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.max(result, limit) : Math.min(result, limit);
  }
  return Number.isFinite(result) ? result : current;
}

/** Per-HPA memory of recommendations and scale events (the controller's in-memory state, as kube's). */
export class ScalingHistory {
  readonly recommendations = new Map<string, Recommendation[]>();
  readonly upEvents = new Map<string, ScaleEvent[]>();
  readonly downEvents = new Map<string, ScaleEvent[]>();

  forget(key: string): void {
    this.recommendations.delete(key);
    this.upEvents.delete(key);
    this.downEvents.delete(key);
  }

  record(key: string, now: number, change: number, behavior?: Behavior): void {
    if (!change) return;
    const m = change > 0 ? this.upEvents : this.downEvents;
    const rules = change > 0 ? behavior?.scaleUp : behavior?.scaleDown;
    const longest = Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
    const kept = (m.get(key) ?? []).filter((e) => e.at > now - longest);
    kept.push({ at: now, change });
    m.set(key, kept);
  }

  normalize(i: NormalizeInput): Normalized {
    const recs = this.recommendations.get(i.key) ?? [];
    const upWindow = i.behavior ? (i.behavior.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000 : 0;
    const downWindow = i.behavior ? (i.behavior.scaleDown?.stabilizationWindowSeconds ?? 300) * 1000 : i.downscaleStabilizationMs;
    let up = i.desiredReplicas;
    let down = i.desiredReplicas;
    for (const r of recs) {
      if (r.at > i.now - upWindow) up = Math.min(up, r.replicas);
      if (r.at > i.now - downWindow) down = Math.max(down, r.replicas);
    }
    let stabilized = i.currentReplicas;
    if (stabilized < up) stabilized = up;
    if (stabilized > down) stabilized = down;
    const keep = Math.max(upWindow, downWindow);
    this.recommendations.set(i.key, [...recs.filter((r) => r.at > i.now - keep), { at: i.now, replicas: i.desiredReplicas }]);
    let ableToScale = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
    if (stabilized !== i.desiredReplicas)
      ableToScale =
        stabilized > i.desiredReplicas
          ? { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
          : { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
    let replicas = stabilized;
    let why = inRange;
    if (i.behavior) {
      const now = i.now;
      if (stabilized > i.currentReplicas) {
        const limit = Math.max(i.currentReplicas, scaleUpLimit(i.currentReplicas, this.upEvents.get(i.key) ?? [], now, i.behavior.scaleUp ?? {}));
        const max = Math.min(limit, i.maxReplicas);
        if (stabilized > max) [replicas, why] = [max, max === i.maxReplicas ? tooMany : upLimit];
      } else if (stabilized < i.currentReplicas) {
        const limit = Math.min(i.currentReplicas, scaleDownLimit(i.currentReplicas, this.downEvents.get(i.key) ?? [], now, i.behavior.scaleDown ?? {}));
        const min = Math.max(limit, i.minReplicas);
        if (stabilized < min) [replicas, why] = [min, min === i.minReplicas ? tooFew : downLimit];
      }
    } else {
      const upMax = Math.max(2 * i.currentReplicas, 4);
      if (stabilized > upMax && upMax < i.maxReplicas) [replicas, why] = [upMax, upLimit];
      else if (stabilized > i.maxReplicas) [replicas, why] = [i.maxReplicas, tooMany];
      else if (stabilized < i.minReplicas) [replicas, why] = [i.minReplicas, tooFew];
    }
    return { replicas, ableToScale, limited: replicas === stabilized ? { status: 'False', ...inRange } : { status: 'True', ...why } };
  }
}
