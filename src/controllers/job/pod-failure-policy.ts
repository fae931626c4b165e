// A Job's pod failure policy (spec.podFailurePolicy, GA in Kubernetes 1.31): for a pod that
// failed, the first rule that matches decides what the failure means. FailJob fails the whole
// Job at once (reason PodFailurePolicy), Ignore does not count it against backoffLimit (the pod
// is replaced), Count counts it as usual, FailIndex fails the pod's index (with
// backoffLimitPerIndex). A pod no rule matches is counted. Rules match on the exit codes of
// terminated containers (init containers too; exit code 0 never matches) or on pod conditions.
import type { K } from '../pod-util.js';

export type PodFailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PodFailureMatch {
  action: PodFailureAction;
  /** The Job's Failed condition message for FailJob, as kube words it. */
  message: string;
}

/** The first non-zero exit code of a terminated container the requirement selects. */
function matchingContainer(statuses: K[] | undefined, req: K): K | undefined {
  const values: number[] = req.values ?? [];
  for (const cs of statuses ?? []) {
    if (req.containerName && req.containerName !== cs?.name) continue;
    const code = cs?.state?.terminated?.exitCode;
    if (typeof code !== 'number' || code === 0) continue;
    const inSet = values.includes(code);
    if ((req.operator === 'In' && inSet) || (req.operator === 'NotIn' && !inSet)) return cs;
  }
  return undefined;
}

/** Which rule of the Job's pod failure policy a failed pod matches; undefined without a match. */
export function matchPodFailurePolicy(job: K, pod: K): PodFailureMatch | undefined {
  const rules: K[] = job.spec?.podFailurePolicy?.rules ?? [];
  const where = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const action = rule?.action as PodFailureAction;
    if (rule?.onExitCodes) {
      const cs = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (cs) return { action, message: `Container ${cs.name} for pod ${where} failed with exit code ${cs.state.terminated.exitCode} matching ${action} rule at index ${i}` };
    } else if (rule?.onPodConditions) {
      for (const pattern of rule.onPodConditions as K[]) {
        const want = pattern?.status ?? 'True';
        const cond = (pod.status?.conditions ?? []).find((c: K) => c?.type === pattern?.type && c?.status === want);
        if (cond) return { action, message: `Pod ${where} has condition ${cond.type} matching ${action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}
