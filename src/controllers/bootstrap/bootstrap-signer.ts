// The bootstrap signer of kube-controller-manager ("bootstrapsigner", off by default as in
// kube): signs the kubeconfig in kube-public/cluster-info with every bootstrap token allowed
// for signing (usage-bootstrap-signing "true", not expired). Each signature is a detached JWS
// (HS256, kid = token id, key = "<id>.<secret>": "header..signature") under
// `jws-kubeconfig-<id>`; signatures of tokens that are gone are removed. A joining node that
// knows a token checks the cluster-info it fetched anonymously against it.
import { CompactSign } from 'jose';
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, isExpired, parseBootstrapSecret, secretField } from './token-secret.js';

export const CLUSTER_INFO = 'cluster-info';
export const JWS_PREFIX = 'jws-kubeconfig-';
const KEY = 'kube-public/cluster-info';

/** kube's detached JWS of the content for a token: "<header>..<signature>". */
export async function detachedSignature(content: string, id: string, secret: string): Promise<string> {
  const jws = await new CompactSign(new TextEncoder().encode(content)).setProtectedHeader({ alg: 'HS256', kid: id }).sign(new TextEncoder().encode(`${id}.${secret}`));
  const [h, , s] = jws.split('.');
  return `${h}..${s}`;
}

export class BootstrapSigner implements Controller {
  readonly name = 'bootstrapsigner';
  private readonly runner: QueueRunner;
  private readonly secrets: Informer;
  private readonly configMaps: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('bootstrap-signer', 1, () => this.sync());
    this.secrets = ctx.informers.informerFor(Resources.secrets, { namespace: 'kube-system', fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
    this.configMaps = ctx.informers.informerFor(Resources.configmaps, { namespace: 'kube-public', fieldSelector: `metadata.name=${CLUSTER_INFO}` });
    const poke = () => this.runner.enqueue(KEY);
    for (const inf of [this.secrets, this.configMaps]) inf.addEventHandler({ onAdd: poke, onUpdate: poke, onDelete: poke });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(): Promise<{ requeueAfter?: number } | void> {
    const cm = this.configMaps.get(KEY) as K | undefined;
    if (!cm || cm.metadata?.deletionTimestamp) return;
    const content: string = cm.data?.kubeconfig ?? '';
    const now = this.ctx.now();
    const want: Record<string, string> = {};
    let nextExpiry: number | undefined;
    for (const s of this.secrets.list() as K[]) {
      const t = parseBootstrapSecret(s);
      if (!t || s.metadata?.deletionTimestamp || secretField(s, 'usage-bootstrap-signing') !== 'true' || isExpired(t, now)) continue;
      if (t.expiresAt !== undefined) nextExpiry = Math.min(nextExpiry ?? Infinity, t.expiresAt);
      want[JWS_PREFIX + t.id] = await detachedSignature(content, t.id, t.secret);
    }
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries((cm.data ?? {}) as Record<string, string>)) if (!k.startsWith(JWS_PREFIX)) data[k] = v;
    Object.assign(data, want);
    const same = JSON.stringify(Object.entries(data).sort()) === JSON.stringify(Object.entries(cm.data ?? {}).sort());
    if (!same) {
      await this.ctx.client.put(resourcePath(Resources.configmaps, 'kube-public', CLUSTER_INFO), { ...cm, data }).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
    }
    // Drop the signature of a token when it expires.
    if (nextExpiry !== undefined) return { requeueAfter: Math.max(nextExpiry - now + 1, 1) };
  }
}

export const newBootstrapSigner = (ctx: ControllerContext): Controller => new BootstrapSigner(ctx);
