// The token cleaner of kube-controller-manager ("tokencleaner", off by default as in kube):
// deletes bootstrap-token Secrets in kube-system once their `expiration` has passed, and
// looks again at a Secret when it is due to expire.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, isExpired, secretField } from './token-secret.js';

export class TokenCleaner implements Controller {
  readonly name = 'tokencleaner';
  private readonly runner: QueueRunner;
  private readonly secrets: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('token-cleaner', 1, (k) => this.sync(k));
    this.secrets = ctx.informers.informerFor(Resources.secrets, { namespace: 'kube-system', fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
    const on = (s: K) => this.runner.enqueue(`${s.metadata!.namespace}/${s.metadata!.name}`);
    this.secrets.addEventHandler({ onAdd: on, onUpdate: (_o, s) => on(s) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(key: string): Promise<{ requeueAfter?: number } | void> {
    const s = this.secrets.get(key) as K | undefined;
    if (!s || s.metadata?.deletionTimestamp) return;
    const exp = secretField(s, 'expiration');
    if (!exp) return;
    const at = Date.parse(exp);
    const now = this.ctx.now();
    if (!isExpired({ id: '', secret: '', expiresAt: at }, now)) return { requeueAfter: at - now + 1 };
    const m = s.metadata!;
    await this.ctx.client.delete(resourcePath(Resources.secrets, m.namespace, m.name), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: m.uid } }).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}

export const newTokenCleaner = (ctx: ControllerContext): Controller => new TokenCleaner(ctx);
