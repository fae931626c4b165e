// HorizontalPodAutoscaler (autoscaling/v2 horizontalpodautoscalers, also served as
// autoscaling/v1 from the same storage). v2 defaults (minReplicas 1, 80% CPU when no metrics,
// behavior rules when behavior is given), validation of the target reference, replica bounds
// and metrics (light: metric identifiers and targets are checked structurally), status
// subresource, the hpa table; hpaV2ToV1/hpaV1ToV2 and strategyV1 for the v1 API.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported } from '../../../../api/field-errors.js';
import { isValidPathSegmentName } from '../../../../api/validation/names.js';
import { canonicalQuantity } from '../../../../api/quantity.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import type { KObject, Strategy } from '../../strategy.js';

const cpu80 = () => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } });

function scalingRules(r: any, up: boolean): any {
  const out = { ...(r ?? {}) };
  out.stabilizationWindowSeconds ??= up ? 0 : 300;
  out.selectPolicy ??= 'Max';
  out.policies ??= up
    ? [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ]
    : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  return out;
}

export function defaultHPAv2(hpa: any): void {
  const spec = (hpa.spec ??= {});
  spec.minReplicas ??= 1;
  if (!(spec.metrics ?? []).length) spec.metrics = [cpu80()];
  if (spec.behavior) {
    spec.behavior.scaleUp = scalingRules(spec.behavior.scaleUp, true);
    spec.behavior.scaleDown = scalingRules(spec.behavior.scaleDown, false);
  }
}

const metricTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const targetTypes = ['AverageValue', 'Utilization', 'Value'];

function validateMetric(m: any, p: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!m?.type) return [required(p + '.type', 'must specify a metric source type')];
  if (!metricTypes.includes(m.type)) return [notSupported(p + '.type', m.type, metricTypes)];
  const key = { Resource: 'resource', ContainerResource: 'containerResource', Pods: 'pods', Object: 'object', External: 'external' }[m.type as string]!;
  const src = m[key];
  if (!src) return [required(`${p}.${key}`, `must populate information for the given metric source (${key})`)];
  if ((m.type === 'Resource' || m.type === 'ContainerResource') && !src.name) errs.push(required(`${p}.${key}.name`, 'must specify a resource name'));
  if (m.type === 'ContainerResource' && !src.container) errs.push(required(`${p}.${key}.container`, 'must specify a container'));
  if (['Pods', 'Object', 'External'].includes(m.type) && !src.metric?.name) errs.push(required(`${p}.${key}.metric.name`, 'must specify a metric name'));
  if (m.type === 'Object' && !src.describedObject?.kind) errs.push(required(`${p}.${key}.describedObject.kind`, ''));
  const t = src.target;
  if (!t?.type) errs.push(required(`${p}.${key}.target.type`, 'must specify a metric target type'));
  else if (!targetTypes.includes(t.type)) errs.push(notSupported(`${p}.${key}.target.type`, t.type, targetTypes));
  else if (t.type === 'Utilization' && !(t.averageUtilization > 0)) errs.push(required(`${p}.${key}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
  return errs;
}

export function validateHPAv2(hpa: any): FieldErrorList {
  const spec = hpa.spec ?? {};
  const errs: FieldErrorList = [];
  const ref = spec.scaleTargetRef ?? {};
  if (!ref.kind) errs.push(required('spec.scaleTargetRef.kind', ''));
  else for (const m of isValidPathSegmentName(ref.kind, false)) errs.push(invalid('spec.scaleTargetRef.kind', ref.kind, m));
  if (!ref.name) errs.push(required('spec.scaleTargetRef.name', ''));
  else for (const m of isValidPathSegmentName(ref.name, false)) errs.push(invalid('spec.scaleTargetRef.name', ref.name, m));
  if (spec.minReplicas != null && spec.minReplicas < 1) errs.push(invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (!(spec.maxReplicas >= 1)) errs.push(invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (spec.minReplicas != null && spec.maxReplicas < spec.minReplicas) errs.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  (spec.metrics ?? []).forEach((m: any, i: number) => errs.push(...validateMetric(m, `spec.metrics[${i}]`)));
  for (const dir of ['scaleUp', 'scaleDown']) {
    const r = spec.behavior?.[dir];
    if (!r) continue;
    const p = `spec.behavior.${dir}`;
    if (r.stabilizationWindowSeconds != null && (r.stabilizationWindowSeconds < 0 || r.stabilizationWindowSeconds > 3600))
      errs.push(invalid(p + '.stabilizationWindowSeconds', r.stabilizationWindowSeconds, r.stabilizationWindowSeconds < 0 ? 'must be greater than or equal to zero' : 'must be less than or equal to 3600'));
    if (r.selectPolicy && !['Disabled', 'Max', 'Min'].includes(r.selectPolicy)) errs.push(notSupported(p + '.selectPolicy', r.selectPolicy, ['Disabled', 'Max', 'Min']));
    if (!(r.policies ?? []).length && r.selectPolicy !== 'Disabled') errs.push(required(p + '.policies', 'must specify at least one Policy'));
    (r.policies ?? []).forEach((pol: any, i: number) => {
      if (!['Pods', 'Percent'].includes(pol?.type)) errs.push(notSupported(`${p}.policies[${i}].type`, pol?.type, ['Percent', 'Pods']));
      if (!(pol?.value > 0)) errs.push(invalid(`${p}.policies[${i}].value`, pol?.value ?? 0, 'must be greater than zero'));
      if (!(pol?.periodSeconds > 0) || pol.periodSeconds > 1800) errs.push(invalid(`${p}.policies[${i}].periodSeconds`, pol?.periodSeconds ?? 0, 'must be greater than zero and less than or equal to 1800'));
    });
  }
  return errs;
}

const q = (v: unknown): string => {
  try {
    return canonicalQuantity(String(v));
  } catch {
    return String(v);
  }
};

/** formatHPAMetrics: up to two "current/target" entries, `+ N more...`, `<none>` without metrics. */
export function formatHPAMetrics(specs: any[] | undefined, statuses: any[] | undefined): string {
  const list: string[] = [];
  const st = statuses ?? [];
  const max = 2;
  let count = 0;
  (specs ?? []).forEach((m, i) => {
    const s = st[i];
    switch (m?.type) {
      case 'External': {
        const t = m.external?.target ?? {};
        if (t.averageValue != null) list.push(`${s?.external?.current?.averageValue != null ? q(s.external.current.averageValue) : '<unknown>'}/${q(t.averageValue)} (avg)`);
        else list.push(`${s?.external?.current?.value != null ? q(s.external.current.value) : '<unknown>'}/${t.value != null ? q(t.value) : '<unknown>'}`);
        break;
      }
      case 'Pods':
        list.push(`${s?.pods ? q(s.pods.current?.averageValue) : '<unknown>'}/${q(m.pods?.target?.averageValue)}`);
        break;
      case 'Object': {
        const t = m.object?.target ?? {};
        if (t.averageValue != null) list.push(`${s?.object?.current?.averageValue != null ? q(s.object.current.averageValue) : '<unknown>'}/${q(t.averageValue)} (avg)`);
        else list.push(`${s?.object?.current?.value != null ? q(s.object.current.value) : '<unknown>'}/${t.value != null ? q(t.value) : '<unknown>'}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = m.type === 'Resource' ? 'resource' : 'containerResource';
        const src = m[key] ?? {};
        const cur = s?.[key]?.current;
        let entry: string;
        if (src.target?.averageValue != null) entry = `${cur?.averageValue != null ? q(cur.averageValue) : '<unknown>'}/${q(src.target.averageValue)}`;
        else entry = `${cur?.averageUtilization != null ? cur.averageUtilization + '%' : '<unknown>'}/${src.target?.averageUtilization != null ? src.target.averageUtilization + '%' : '<auto>'}`;
        list.push(`${src.name}: ${entry}`);
        break;
      }
      default:
        list.push('<unknown type>');
    }
    count++;
  });
  if (count === 0) return '<none>';
  if (count > max) return `${list.slice(0, max).join(', ')} + ${count - max} more...`;
  return list.join(', ');
}

const hpaTable = table(
  [
    col('Reference', 'string', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
    col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count.'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler.'),
    ageColumn,
  ],
  (hpa, now) => {
    const spec = hpa.spec ?? {};
    return [
      `${spec.scaleTargetRef?.kind ?? ''}/${spec.scaleTargetRef?.name ?? ''}`,
      formatHPAMetrics(spec.metrics, hpa.status?.currentMetrics),
      spec.minReplicas != null ? String(spec.minReplicas) : '<unset>',
      spec.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(hpa, now),
    ];
  },
);

const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
const currentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';

const isCpuUtilization = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

/** autoscaling/v2 -> autoscaling/v1: CPU utilization as the v1 field, the rest in annotations. */
export function hpaV2ToV1(hpa: KObject): KObject {
  const spec = hpa.spec ?? {};
  const st = hpa.status ?? {};
  const annotations: Record<string, string> = { ...(hpa.metadata?.annotations ?? {}) };
  const metrics: any[] = spec.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[metricsAnnotation] = JSON.stringify(others);
  if (spec.behavior) annotations[behaviorAnnotation] = JSON.stringify(spec.behavior);
  const curCpu = (st.currentMetrics ?? []).find((m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu');
  const curOthers = (st.currentMetrics ?? []).filter((m: any) => m !== curCpu);
  if (curOthers.length) annotations[currentMetricsAnnotation] = JSON.stringify(curOthers);
  if ((st.conditions ?? []).length) annotations[conditionsAnnotation] = JSON.stringify(st.conditions);
  const out: KObject = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { ...structuredClone(hpa.metadata ?? {}), ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: { scaleTargetRef: structuredClone(spec.scaleTargetRef), minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas },
    status: { currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 },
  };
  if (cpu) out.spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  if (st.observedGeneration != null) out.status.observedGeneration = st.observedGeneration;
  if (st.lastScaleTime) out.status.lastScaleTime = st.lastScaleTime;
  if (curCpu?.resource?.current?.averageUtilization != null) out.status.currentCPUUtilizationPercentage = curCpu.resource.current.averageUtilization;
  return out;
}

function takeJSON(annotations: Record<string, string>, key: string): any {
  const v = annotations[key];
  delete annotations[key];
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** autoscaling/v1 -> autoscaling/v2 (inverse of hpaV2ToV1). */
export function hpaV1ToV2(hpa: KObject): KObject {
  const spec = hpa.spec ?? {};
  const st = hpa.status ?? {};
  const annotations: Record<string, string> = { ...(hpa.metadata?.annotations ?? {}) };
  const others: any[] = takeJSON(annotations, metricsAnnotation) ?? [];
  const behavior = takeJSON(annotations, behaviorAnnotation);
  const curOthers: any[] = takeJSON(annotations, currentMetricsAnnotation) ?? [];
  const conditions = takeJSON(annotations, conditionsAnnotation);
  const metrics: any[] = [];
  if (spec.targetCPUUtilizationPercentage != null) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  metrics.push(...others);
  const metadata = structuredClone(hpa.metadata ?? {});
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: KObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: { scaleTargetRef: structuredClone(spec.scaleTargetRef), minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, ...(metrics.length ? { metrics } : {}), ...(behavior ? { behavior } : {}) },
    status: { currentReplicas: st.currentReplicas, desiredReplicas: st.desiredReplicas ?? 0 },
  };
  const current: any[] = [];
  if (st.currentCPUUtilizationPercentage != null) current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } });
  current.push(...curOthers);
  if (current.length) out.status.currentMetrics = current;
  if (conditions) out.status.conditions = conditions;
  if (st.observedGeneration != null) out.status.observedGeneration = st.observedGeneration;
  if (st.lastScaleTime) out.status.lastScaleTime = st.lastScaleTime;
  if (out.status.currentReplicas === undefined) delete out.status.currentReplicas;
  return out;
}

const info = {
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  listKind: 'HorizontalPodAutoscalerList',
  resource: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
};

export const strategy = defineStrategy({
  info,
  defaults: defaultHPAv2,
  status: { initialStatus: () => ({ desiredReplicas: 0 }) },
  generation: true,
  validate: validateHPAv2,
  table: hpaTable,
});

/**
 * autoscaling/v1: the same storage (objects kept in the v2 shape through storageConversion);
 * the hooks see v1 objects: minReplicas 1, targetCPUUtilizationPercentage >= 1, the v2 rules on
 * the converted object, the same table.
 */
export const strategyV1: Strategy = defineStrategy({
  info: { ...info, version: 'v1', storagePrefix: 'horizontalpodautoscalers' },
  storageConversion: { toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
  defaults(h) {
    (h.spec ??= {}).minReplicas ??= 1;
  },
  status: { initialStatus: () => ({ currentReplicas: 0, desiredReplicas: 0 }) },
  generation: true,
  validate(h) {
    const errs: FieldErrorList = [];
    const t = h.spec?.targetCPUUtilizationPercentage;
    if (t != null && t < 1) errs.push(invalid('spec.targetCPUUtilizationPercentage', t, 'must be greater than or equal to 1'));
    const v2 = hpaV1ToV2(h);
    if (errs.length) delete v2.spec.metrics;
    defaultHPAv2(v2);
    return [...errs, ...validateHPAv2(v2)];
  },
  table: { columns: hpaTable.columns, cells: (h, now) => hpaTable.cells(hpaV1ToV2(h), now) },
});
