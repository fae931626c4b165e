// The service-account controller: every active namespace has a `default` ServiceAccount
// (re-created if deleted), and the root CA ConfigMap `kube-root-ca.crt` (key ca.crt) that pods
// use to verify the apiserver, when the controller manager knows the cluster CA.
import type { Informer } from '../../client/informer.js';
import { isAlreadyExists, isNotFound } from '../../client/rest-client.js';
import { Resources, resourcePath } from '../../client/resources.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount';
  private readonly runner: QueueRunner;
  private readonly namespaces: Informer;
  private readonly serviceAccounts: Informer;
  private readonly configMaps: Informer;
  private readonly caPem: string | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('serviceaccount-controller', Number(ctx.options.concurrentServiceaccountTokenSyncs ?? 5), (k) => this.sync(k));
    this.namespaces = ctx.informers.informerFor(Resources.namespaces);
    this.serviceAccounts = ctx.informers.informerFor(Resources.serviceaccounts);
    this.configMaps = ctx.informers.informerFor(Resources.configmaps);
    const ca = ctx.options.rootCaPem ?? ctx.client.config.ca?.toString('utf8');
    this.caPem = typeof ca === 'string' && ca ? ca : undefined;
    this.namespaces.addEventHandler({ onAdd: (n) => this.runner.enqueue(n.metadata!.name), onUpdate: (_o, n) => this.runner.enqueue(n.metadata!.name) });
    this.serviceAccounts.addEventHandler({ onDelete: (sa) => sa.metadata?.name === 'default' && this.runner.enqueue(sa.metadata.namespace) });
    this.configMaps.addEventHandler({
      onDelete: (cm) => cm.metadata?.name === ROOT_CA_CONFIGMAP && this.runner.enqueue(cm.metadata.namespace),
      onUpdate: (_o, cm) => cm.metadata?.name === ROOT_CA_CONFIGMAP && this.runner.enqueue(cm.metadata.namespace),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  async sync(ns: string): Promise<void> {
    const n = this.namespaces.get(ns) as K | undefined;
    if (!n || n.metadata?.deletionTimestamp || n.status?.phase === 'Terminating') return;
    if (!this.serviceAccounts.get(`${ns}/default`)) {
      await this.ctx.client.post(resourcePath(Resources.serviceaccounts, ns), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } }).catch(ignoreExpected);
    }
    if (this.caPem) {
      const cm = this.configMaps.get(`${ns}/${ROOT_CA_CONFIGMAP}`) as K | undefined;
      const body = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } },
        data: { 'ca.crt': this.caPem },
      };
      if (!cm) await this.ctx.client.post(resourcePath(Resources.configmaps, ns), body).catch(ignoreExpected);
      else if (cm.data?.['ca.crt'] !== this.caPem) await this.ctx.client.put(resourcePath(Resources.configmaps, ns, ROOT_CA_CONFIGMAP), { ...cm, data: body.data }).catch(ignoreExpected);
    }
  }
}

function ignoreExpected(e: unknown): void {
  // AlreadyExists: a racing create; NotFound/Forbidden: the namespace is going away.
  if (!isAlreadyExists(e) && !isNotFound(e) && !(e instanceof Error && /being terminated|Forbidden/.test(e.message))) throw e;
}

export const newServiceAccountController = (ctx: ControllerContext): Controller => new ServiceAccountController(ctx);
