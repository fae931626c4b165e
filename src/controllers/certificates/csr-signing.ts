// kube-controller-manager's "csrsigning" controller (the local file signer): issues the
// certificate of every approved CertificateSigningRequest of the kubernetes.io signers
// (kube-apiserver-client-kubelet, kube-apiserver-client, kubelet-serving, legacy-unknown)
// with the cluster CA of --cluster-signing-cert-file/--cluster-signing-key-file, for
// --cluster-signing-duration (default 1 year) or the shorter spec.expirationSeconds, never past
// the CA's own expiry, into status.certificate. A request the signer refuses (a kubelet client
// CSR with SANs, wrong usages...) gets a Failed condition (reason SignerValidationFailure).
// Divergence: one CA for every signer (kube can take one per signer); ECDSA CA keys only.
import { readFileSync } from 'node:fs';
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/rest-client.js';
import { resourcePath } from '../../client/resources.js';
import { parseCsr, signCsr } from '../../auth/pki/csr.js';
import type { KeyPairPem } from '../../auth/pki/certs.js';
import { QueueRunner, type Controller, type ControllerContext } from '../controller.js';
import type { K } from '../pod-util.js';
import { CSRS, KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING, LEGACY_UNKNOWN, apiserverClientProblem, hasFailed, isApproved, kubeletClientProblem, kubeletServingProblem, requestPem } from './csr-util.js';

const SIGNERS = new Set([KUBE_APISERVER_CLIENT_KUBELET, KUBE_APISERVER_CLIENT, KUBELET_SERVING, LEGACY_UNKNOWN]);
const YEAR_MS = 365 * 86_400_000;

export class CsrSigningController implements Controller {
  readonly name = 'csrsigning';
  private readonly runner: QueueRunner;
  private readonly csrs: Informer;
  private ca?: KeyPairPem;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner('csrsigning', 2, (k) => this.sync(k));
    this.csrs = ctx.informers.informerFor(CSRS);
    const on = (c: K) => this.runner.enqueue(String(c.metadata?.name));
    this.csrs.addEventHandler({ onAdd: on, onUpdate: (_o, c) => on(c) });
  }

  run(signal: AbortSignal): Promise<void> {
    const certFile = this.ctx.options.clusterSigningCertFile;
    const keyFile = this.ctx.options.clusterSigningKeyFile;
    if (typeof certFile !== 'string' || typeof keyFile !== 'string' || !certFile || !keyFile) {
      this.runner.log.info('no --cluster-signing-cert-file/--cluster-signing-key-file: certificate signing requests are not signed');
      return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
    }
    this.ca = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    return this.runner.run(signal);
  }

  private async updateStatus(csr: K, status: Record<string, unknown>): Promise<void> {
    await this.ctx.client.put(resourcePath(CSRS, undefined, csr.metadata!.name, 'status'), { ...csr, status: { ...(csr.status ?? {}), ...status } }).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.get(name) as K | undefined;
    if (!csr || !this.ca || csr.status?.certificate || !isApproved(csr) || hasFailed(csr)) return;
    const signer = String(csr.spec?.signerName ?? '');
    if (!SIGNERS.has(signer)) return;
    const pem = requestPem(csr);
    const usages: string[] = csr.spec?.usages ?? [];
    const req = await parseCsr(pem);
    const problem = !req.signatureValid
      ? 'the request is not signed by its own key'
      : signer === KUBE_APISERVER_CLIENT_KUBELET
        ? kubeletClientProblem(req, usages)
        : signer === KUBELET_SERVING
          ? kubeletServingProblem(req, usages)
          : signer === KUBE_APISERVER_CLIENT
            ? apiserverClientProblem(usages)
            : undefined;
    if (problem) {
      const now = new Date(this.ctx.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const failed = { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: now, lastTransitionTime: now };
      await this.updateStatus(csr, { conditions: [...(csr.status?.conditions ?? []), failed] });
      this.runner.log.info({ csr: name, problem }, 'certificate signing request refused by the signer');
      return;
    }
    const configured = Number(this.ctx.options.clusterSigningDurationMs) || YEAR_MS;
    const asked = csr.spec?.expirationSeconds ? Number(csr.spec.expirationSeconds) * 1000 : Infinity;
    const cert = await signCsr(this.ca, pem, { usages, durationMs: Math.min(configured, asked), now: this.ctx.now() });
    await this.updateStatus(csr, { certificate: Buffer.from(cert).toString('base64') });
    this.runner.log.info({ csr: name, subject: req.commonName, signer }, 'certificate issued');
  }
}

export const newCsrSigningController = (ctx: ControllerContext): Controller => new CsrSigningController(ctx);
