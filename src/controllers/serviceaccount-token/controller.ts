// The tokens controller of kube-controller-manager ("serviceaccount-token"): every Secret of
// type kubernetes.io/service-account-token annotated kubernetes.io/service-account.name gets a
// legacy (non-expiring) token signed with --service-account-private-key-file, plus ca.crt
// (--root-ca-file, else the controller manager's CA) and namespace, and the
// kubernetes.io/service-account.uid annotation. A token Secret whose service account is gone (or
// has another uid) is deleted, and deleting a service account deletes its token Secrets.
// Without a private key the controller does nothing (kube does not start it).
// Differs from kube: no retry of failed token generation beyond the workqueue's backoff.
import { readFileSync } from 'node:fs';
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';
import { signingKeyFromPem, type SigningKey } from '../../auth/tokens/keys.js';
import { legacyClaims } from '../../auth/tokens/claims.js';
import { signJwt } from '../../auth/tokens/jwt.js';

export const SA_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : '');

export interface TokensControllerOptions {
  /** PEM of the signing key (or read from serviceAccountPrivateKeyFile). */
  serviceAccountPrivateKeyPem?: string;
  serviceAccountPrivateKeyFile?: string;
  rootCaFile?: string;
}

export class TokensController implements Controller {
  readonly name = 'serviceaccount-token';
  private readonly runner: QueueRunner;
  private readonly secrets: Informer;
  private readonly serviceAccounts: Informer;
  private readonly key: SigningKey | undefined;
  private readonly rootCa: string;

  constructor(private readonly ctx: ControllerContext) {
    const o = ctx.options;
    const pem = typeof o.serviceAccountPrivateKeyPem === 'string' ? o.serviceAccountPrivateKeyPem : typeof o.serviceAccountPrivateKeyFile === 'string' && o.serviceAccountPrivateKeyFile ? readFileSync(o.serviceAccountPrivateKeyFile, 'utf8') : undefined;
    this.key = pem ? signingKeyFromPem(pem) : undefined;
    const ca = typeof o.rootCaFile === 'string' && o.rootCaFile ? readFileSync(o.rootCaFile, 'utf8') : ctx.client.config.ca?.toString('utf8');
    this.rootCa = ca ?? '';
    this.runner = new QueueRunner('serviceaccount-token-controller', Number(o.concurrentServiceaccountTokenSyncs ?? 5), (k) => this.sync(k));
    this.secrets = ctx.informers.informerFor(Resources.secrets, { indexers: { serviceAccount: (s) => (s.type === SA_TOKEN_SECRET_TYPE ? [`${s.metadata?.namespace}/${s.metadata?.annotations?.[SA_NAME_ANNOTATION] ?? ''}`] : []) } });
    this.serviceAccounts = ctx.informers.informerFor(Resources.serviceaccounts);
    const onSecret = (s: K) => s.type === SA_TOKEN_SECRET_TYPE && this.runner.enqueue(`secret/${s.metadata!.namespace}/${s.metadata!.name}`);
    this.secrets.addEventHandler({ onAdd: onSecret, onUpdate: (_o, s) => onSecret(s) });
    const onSa = (sa: K) => this.runner.enqueue(`sa/${sa.metadata!.namespace}/${sa.metadata!.name}`);
    this.serviceAccounts.addEventHandler({ onAdd: onSa, onUpdate: (_o, sa) => onSa(sa), onDelete: onSa });
  }

  run(signal: AbortSignal): Promise<void> {
    if (!this.key) {
      this.runner.log.info('no --service-account-private-key-file: legacy service account tokens are not generated');
      return new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    }
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<void> {
    const [kind, ns, name] = key.split('/');
    if (kind === 'sa') return this.syncServiceAccount(ns, name);
    return this.syncSecret(ns, name);
  }

  /** A deleted service account takes its token Secrets with it; live ones get theirs re-checked. */
  private async syncServiceAccount(ns: string, name: string): Promise<void> {
    const sa = this.serviceAccounts.get(`${ns}/${name}`) as K | undefined;
    for (const s of this.secrets.byIndex('serviceAccount', `${ns}/${name}`)) {
      if (sa) this.runner.enqueue(`secret/${ns}/${s.metadata!.name}`);
      else await this.deleteSecret(s as K);
    }
  }

  private async syncSecret(ns: string, name: string): Promise<void> {
    const secret = this.secrets.get(`${ns}/${name}`) as K | undefined;
    if (!secret || secret.type !== SA_TOKEN_SECRET_TYPE || secret.metadata?.deletionTimestamp || !this.key) return;
    const ann = secret.metadata?.annotations ?? {};
    const saName = ann[SA_NAME_ANNOTATION];
    const sa = saName ? (this.serviceAccounts.get(`${ns}/${saName}`) as K | undefined) : undefined;
    const wantUid = ann[SA_UID_ANNOTATION];
    if (!sa || (wantUid && sa.metadata?.uid !== wantUid)) {
      // Not yet in the cache? Ask the apiserver before deleting anything.
      const live = saName ? await this.ctx.client.get(resourcePath(Resources.serviceaccounts, ns, saName)).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e))) : undefined;
      if (!live || (wantUid && live.metadata?.uid !== wantUid)) await this.deleteSecret(secret);
      return;
    }
    const data: Record<string, string> = { ...(secret.data ?? {}) };
    const needsCa = !!this.rootCa && unb64(data['ca.crt']) !== this.rootCa;
    const needsNs = !unb64(data.namespace);
    const needsToken = !unb64(data.token);
    const needsUid = ann[SA_UID_ANNOTATION] !== sa.metadata?.uid;
    if (!needsCa && !needsNs && !needsToken && !needsUid) return;
    if (needsCa) data['ca.crt'] = b64(this.rootCa);
    if (needsNs) data.namespace = b64(ns);
    if (needsToken) data.token = b64(await signJwt(legacyClaims(ns, { name: saName, uid: sa.metadata!.uid }, name), this.key));
    const updated = { ...secret, metadata: { ...secret.metadata, annotations: { ...ann, [SA_NAME_ANNOTATION]: saName, [SA_UID_ANNOTATION]: sa.metadata!.uid } }, data };
    // A conflict (someone else wrote the secret) is retried by the workqueue with the newer copy.
    await this.ctx.client.put(resourcePath(Resources.secrets, ns, name), updated);
  }

  private async deleteSecret(s: K): Promise<void> {
    const m = s.metadata!;
    await this.ctx.client.delete(resourcePath(Resources.secrets, m.namespace, m.name), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: m.uid } }).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}

export const newTokensController = (ctx: ControllerContext): Controller => new TokensController(ctx);
