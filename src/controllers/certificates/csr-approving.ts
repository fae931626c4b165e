// kube-controller-manager's "csrapproving" controller: approves a kubelet's client certificate
// request (signer kubernetes.io/kube-apiserver-client-kubelet) when the requesting user may,
// asked through a SubjectAccessReview as kube does: `create certificatesigningrequests/nodeclient`
// for a new node (kubeadm binds it to the bootstrap token's group) or
// `.../selfnodeclient` when a node renews its own certificate (CN equals the requestor).
// Anything else is left for a human (`kubectl certificate approve|deny`). A recognised request
// whose review says no is retried with back-off, as kube does.
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { resourcePath } from '../../client/resources.js';
import { parseCsr } from '../../auth/pki/csr.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';
import { CSRS, KUBE_APISERVER_CLIENT_KUBELET, isApproved, isDenied, kubeletClientProblem, requestPem } from './csr-util.js';

interface Recognizer {
  subresource: string;
  message: string;
  recognize(csr: K, commonName: string): boolean;
}

const recognizers: Recognizer[] = [
  { subresource: 'selfnodeclient', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.', recognize: (csr, cn) => csr.spec?.username === cn },
  { subresource: 'nodeclient', message: 'Auto approving kubelet client certificate after SubjectAccessReview.', recognize: () => true },
];

export class CsrApprovingController implements Controller {
  readonly name = 'csrapproving';
  private readonly runner: QueueRunner;
  private readonly csrs: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('csrapproving', 2, (k) => this.sync(k));
    this.csrs = ctx.informers.informerFor(CSRS);
    const on = (c: K) => this.runner.enqueue(String(c.metadata?.name));
    this.csrs.addEventHandler({ onAdd: on, onUpdate: (_o, c) => on(c) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private async allowed(csr: K, subresource: string): Promise<boolean> {
    const spec = csr.spec ?? {};
    const sar = await this.ctx.client.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: spec.username, uid: spec.uid, groups: spec.groups, extra: spec.extra, resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource } },
    });
    return sar.status?.allowed === true;
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.get(name) as K | undefined;
    if (!csr || csr.spec?.signerName !== KUBE_APISERVER_CLIENT_KUBELET || isApproved(csr) || isDenied(csr)) return;
    let req;
    try {
      req = await parseCsr(requestPem(csr));
    } catch (e) {
      this.runner.log.info({ csr: name, err: (e as Error).message }, 'unable to parse the request; leaving it');
      return;
    }
    if (kubeletClientProblem(req, csr.spec?.usages ?? [])) return;
    const tried: string[] = [];
    for (const r of recognizers) {
      if (!r.recognize(csr, req.commonName)) continue;
      tried.push(r.subresource);
      if (!(await this.allowed(csr, r.subresource))) continue;
      const now = new Date(this.ctx.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const cond = { type: 'Approved', status: 'True', reason: 'AutoApproved', message: r.message, lastUpdateTime: now, lastTransitionTime: now };
      const body = { ...csr, status: { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), cond] } };
      await this.ctx.client.put(resourcePath(CSRS, undefined, name, 'approval'), body).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
      this.runner.log.info({ csr: name, user: csr.spec?.username, as: r.subresource }, 'certificate signing request approved');
      return;
    }
    if (tried.length) throw new Error(`recognized csr "${name}" as [${tried.join(' ')}] but subject access review was not approved`);
  }
}

export const newCsrApprovingController = (ctx: ControllerContext): Controller => new CsrApprovingController(ctx);
