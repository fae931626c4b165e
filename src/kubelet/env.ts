// A container's environment (kubelet's makeEnvironmentVariables): envFrom (configMapRef,
// secretRef, with prefix), then env entries — value with $(VAR) expansion, configMapKeyRef,
// secretKeyRef, fieldRef (metadata.name/namespace/uid, labels['k'], annotations['k'],
// spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP(s)), resourceFieldRef
// (limits/requests of cpu and memory) — and $(VAR) expansion of command and args.
// A missing ConfigMap/Secret/key (not optional) is an error the worker reports as
// CreateContainerConfigError, as the kubelet does.
import { isNotFound, type KObject, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import type { Pod } from './pod-status.js';
import { milliValue, parseQuantity, quantityValue } from '../api/quantity.js';

export class ConfigError extends Error {}

export interface EnvContext {
  client: RestClient;
  pod: Pod;
  hostIP: string;
  podIP?: string;
}

async function fetchData(ctx: EnvContext, kind: 'configmap' | 'secret', name: string, optional: boolean): Promise<Record<string, string> | undefined> {
  const ns = ctx.pod.metadata.namespace;
  try {
    const o = await ctx.client.get(resourcePath(kind === 'configmap' ? Resources.configmaps : Resources.secrets, ns, name));
    if (kind === 'configmap') return { ...(o.data ?? {}) };
    return Object.fromEntries(Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  } catch (e) {
    if (isNotFound(e)) {
      if (optional) return undefined;
      throw new ConfigError(`${kind} "${name}" not found`);
    }
    throw e;
  }
}

function fieldRef(ctx: EnvContext, path: string): string {
  const p = ctx.pod;
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return p.metadata?.[m[1]]?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return p.metadata.name;
    case 'metadata.namespace':
      return p.metadata.namespace;
    case 'metadata.uid':
      return p.metadata.uid;
    case 'spec.nodeName':
      return p.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return p.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP ?? '';
    default:
      throw new ConfigError(`unsupported fieldRef fieldPath "${path}"`);
  }
}

function resourceField(container: KObject, ref: KObject): string {
  const [kind, res] = String(ref.resource).split('.');
  const v = container.resources?.[kind]?.[res];
  if (v === undefined) return res === 'cpu' ? '1' : '0';
  const q = parseQuantity(String(v));
  const divisor = ref.divisor ? parseQuantity(String(ref.divisor)) : undefined;
  if (res === 'cpu') {
    const d = divisor ? milliValue(divisor) : 1000;
    return String(Math.ceil(milliValue(q) / d));
  }
  const d = divisor ? quantityValue(divisor) : 1;
  return String(Math.ceil(quantityValue(q) / d));
}

/** Expand $(VAR) references ($$ escapes), leaving unknown ones as written. */
export function expand(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name?: string) => (all === '$$' ? '$' : vars.has(name!) ? vars.get(name!)! : all));
}

export async function containerEnv(ctx: EnvContext, container: KObject): Promise<Array<{ name: string; value: string }>> {
  const vars = new Map<string, string>();
  for (const src of container.envFrom ?? []) {
    const ref = src.configMapRef ?? src.secretRef;
    if (!ref) continue;
    const data = await fetchData(ctx, src.configMapRef ? 'configmap' : 'secret', ref.name, !!ref.optional);
    for (const [k, v] of Object.entries(data ?? {})) vars.set(`${src.prefix ?? ''}${k}`, v);
  }
  for (const e of container.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      vars.set(e.name, expand(e.value ?? '', vars));
      continue;
    }
    if (vf.configMapKeyRef || vf.secretKeyRef) {
      const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
      const kind = vf.configMapKeyRef ? 'configmap' : 'secret';
      const data = await fetchData(ctx, kind, ref.name, !!ref.optional);
      if (data && data[ref.key] !== undefined) vars.set(e.name, data[ref.key]);
      else if (!ref.optional) throw new ConfigError(`couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ctx.pod.metadata.namespace}/${ref.name}`);
    } else if (vf.fieldRef) vars.set(e.name, fieldRef(ctx, vf.fieldRef.fieldPath));
    else if (vf.resourceFieldRef) vars.set(e.name, resourceField(container, vf.resourceFieldRef));
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}
