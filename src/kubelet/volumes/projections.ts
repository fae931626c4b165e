// The files of configMap, secret, downwardAPI and projected volumes, as the kubelet's volume
// plugins compute them: all keys (or the listed items, each with its path and mode), the volume's
// defaultMode (0644) otherwise, `optional` sources that are missing giving no files, and the
// kubelet's messages for what is missing. Service account tokens come from the TokenRequest API
// (bound to the pod, `expirationSeconds` default 3600) and are reused until 80% of their lifetime
// (or 24 h) has passed, as the kubelet's token manager does.
import { isNotFound, type KObject, type RestClient } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { milliValue, parseQuantity, quantityValue } from '../../api/quantity.js';
import type { FileProjection, Payload } from './atomic-writer.js';
import type { Pod } from '../pod-status.js';

export class MountError extends Error {}

export const DEFAULT_MODE = 0o644;

export interface SourceContext {
  client: RestClient;
  pod: Pod;
  tokens: TokenCache;
  now?: () => number;
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

async function getObject(ctx: SourceContext, kind: 'configmap' | 'secret', name: string): Promise<KObject | undefined> {
  try {
    return await ctx.client.get(resourcePath(kind === 'configmap' ? Resources.configmaps : Resources.secrets, ctx.pod.metadata.namespace, name));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function keyed(payload: Payload, data: Map<string, Buffer>, items: KObject[] | undefined, mode: number, missingKey: (k: string) => string, optional: boolean): void {
  if (!items?.length) {
    for (const [k, v] of data) payload.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      throw new MountError(missingKey(it.key));
    }
    payload.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

export async function configMapFiles(ctx: SourceContext, src: KObject, defaultMode: number, payload: Payload = new Map()): Promise<Payload> {
  const cm = await getObject(ctx, 'configmap', src.name);
  if (!cm) {
    if (src.optional) return payload;
    throw new MountError(`configmap "${src.name}" not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((cm.data ?? {}) as Record<string, string>)) data.set(k, text(v));
  for (const [k, v] of Object.entries((cm.binaryData ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'base64'));
  keyed(payload, data, src.items, defaultMode, (k) => `configmap references non-existent config key: ${k}`, !!src.optional);
  return payload;
}

export async function secretFiles(ctx: SourceContext, src: KObject, defaultMode: number, payload: Payload = new Map()): Promise<Payload> {
  const name = src.secretName ?? src.name;
  const s = await getObject(ctx, 'secret', name);
  if (!s) {
    if (src.optional) return payload;
    throw new MountError(`secret "${name}" not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((s.data ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'base64'));
  keyed(payload, data, src.items, defaultMode, (k) => `references non-existent secret key: ${k}`, !!src.optional);
  return payload;
}

/** `key="value"` lines, sorted, as the kubelet formats labels and annotations. */
const formatMap = (m: Record<string, string> = {}): string =>
  Object.keys(m)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`)
    .join('\n');

function fieldValue(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return pod.metadata?.[m[1]]?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    default:
      throw new MountError(`unsupported fieldRef fieldPath "${path}" in a downward API volume`);
  }
}

function resourceValue(pod: Pod, ref: KObject): string {
  const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x: KObject) => x.name === ref.containerName) ?? pod.spec?.containers?.[0];
  const [kind, res] = String(ref.resource).split('.');
  const v = c?.resources?.[kind]?.[res] ?? (kind === 'requests' ? c?.resources?.limits?.[res] : undefined);
  if (v === undefined) return res === 'cpu' ? '1' : '0';
  const q = parseQuantity(String(v));
  const divisor = ref.divisor ? parseQuantity(String(ref.divisor)) : undefined;
  if (res === 'cpu') return String(Math.ceil(milliValue(q) / (divisor ? milliValue(divisor) : 1000)));
  return String(Math.ceil(quantityValue(q) / (divisor ? quantityValue(divisor) : 1)));
}

export function downwardAPIFiles(pod: Pod, items: KObject[] = [], defaultMode: number, payload: Payload = new Map()): Payload {
  for (const it of items) {
    const value = it.fieldRef ? fieldValue(pod, it.fieldRef.fieldPath) : it.resourceFieldRef ? resourceValue(pod, it.resourceFieldRef) : '';
    payload.set(it.path, { data: text(value), mode: it.mode ?? defaultMode });
  }
  return payload;
}

interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** The kubelet's token manager: one token per (pod, service account, audience, lifetime). */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  /** The earliest time a cached token of `uid` needs renewing (the volume manager resyncs then). */
  nextRefresh(uid: string): number | undefined {
    let t: number | undefined;
    for (const [k, v] of this.tokens) if (k.startsWith(`${uid}/`)) t = Math.min(t ?? Infinity, refreshAt(v));
    return t;
  }

  forget(uid: string): void {
    for (const k of [...this.tokens.keys()]) if (k.startsWith(`${uid}/`)) this.tokens.delete(k);
  }

  async get(ctx: SourceContext, audience: string | undefined, expirationSeconds: number): Promise<string> {
    const pod = ctx.pod;
    const sa = pod.spec?.serviceAccountName || 'default';
    const now = (ctx.now ?? Date.now)();
    const key = `${pod.metadata.uid}/${sa}/${audience ?? ''}/${expirationSeconds}`;
    const cur = this.tokens.get(key);
    if (cur && now < refreshAt(cur)) return cur.token;
    const tr = await ctx.client.post(`${resourcePath(Resources.serviceaccounts, pod.metadata.namespace, sa)}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } },
    }).catch((e: Error) => {
      throw new MountError(`failed to fetch token: ${e.message}`);
    });
    const token = tr.status?.token;
    if (!token) throw new MountError('failed to fetch token: the TokenRequest returned no token');
    const expiresAt = tr.status?.expirationTimestamp ? Date.parse(tr.status.expirationTimestamp) : now + expirationSeconds * 1000;
    this.tokens.set(key, { token, issuedAt: now, expiresAt });
    return token;
  }
}

/** Renew at 80% of the lifetime, or after 24 h, whichever comes first. */
function refreshAt(t: CachedToken): number {
  return Math.min(t.issuedAt + 0.8 * (t.expiresAt - t.issuedAt), t.issuedAt + 24 * 3600_000);
}

export async function projectedFiles(ctx: SourceContext, src: KObject): Promise<Payload> {
  const defaultMode = src.defaultMode ?? DEFAULT_MODE;
  const payload: Payload = new Map();
  for (const s of src.sources ?? []) {
    if (s.configMap) await configMapFiles(ctx, s.configMap, defaultMode, payload);
    else if (s.secret) await secretFiles(ctx, { ...s.secret, secretName: s.secret.name }, defaultMode, payload);
    else if (s.downwardAPI) downwardAPIFiles(ctx.pod, s.downwardAPI.items, defaultMode, payload);
    else if (s.serviceAccountToken) {
      const st = s.serviceAccountToken;
      const token = await ctx.tokens.get(ctx, st.audience, st.expirationSeconds ?? 3600);
      payload.set(st.path, { data: text(token), mode: defaultMode } satisfies FileProjection);
    }
  }
  return payload;
}
