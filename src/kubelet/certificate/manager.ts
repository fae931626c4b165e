// The kubelet's certificate manager (client-go's certificate.Manager, as the kubelet runs it with
// --rotate-certificates): it holds the current certificate and renews it through a
// CertificateSigningRequest once 70-90 % of its lifetime has passed (a jittered deadline, so
// that a fleet of nodes does not renew at once): a new key made here, a CSR for
// CN system:node:<name>, O system:nodes to the kubelet's signer (client:
// kubernetes.io/kube-apiserver-client-kubelet, auto-approved by the csrapproving controller as
// selfnodeclient; with --rotate-server-certificates also the serving certificate, signer
// kubernetes.io/kubelet-serving with the node's names and addresses, which kube leaves to an
// administrator: `kubectl certificate approve`), then waits for approval and the issued certificate, stores the pair
// (cert-store.ts) and hands it to the user (the REST clients, the kubelet server), which use it
// for new connections without a restart. A failed attempt is retried with back-off (2 s,
// doubling, at most 5 min). Metrics: kubelet_certificate_manager_client_ttl_seconds,
// kubelet_certificate_manager_client_expiration_renew_errors.
import { createHash } from 'node:crypto';
import { isAlreadyExists, isNotFound, type RestClient } from '../../client/rest-client.js';
import { resourcePath } from '../../client/resources.js';
import { createCsr } from '../../auth/pki/csr.js';
import { CSRS } from '../../controllers/certificates/csr-util.js';
import type { Logger } from '../../util/log.js';
import { prom, registry } from '../../util/metrics.js';
import { validity, type CertFileStore, type CertPair } from './cert-store.js';

export interface CertificateManagerOptions {
  /** Which certificate (names the metrics and the log lines). */
  kind: 'client' | 'server';
  /** The client the CSRs go through (authenticated as the node). */
  client: () => RestClient;
  nodeName: string;
  signerName: string;
  usages: string[];
  store: CertFileStore;
  /** The pair in use now (from the store, or the kubeconfig's bootstrap pair); none: request
   * one at once (a serving certificate not issued yet). */
  initial?: CertPair;
  /** The request (default: CN system:node:<name>, O system:nodes, no SANs: a client's); a
   * serving certificate's names its addresses. */
  makeCsr?: () => Promise<{ csr: string; key: string }>;
  /** Called with each new pair once stored. */
  onRotated: (pair: CertPair) => void;
  log: Logger;
  now?: () => number;
  random?: () => number;
  /** How long to wait for a CSR to be approved and signed (kubelet: 15 min). */
  csrTimeoutMs?: number;
  /** How often the CSR is polled while waiting (default 0.5 s; kubelet watches it). */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const READ_TIMEOUT_MS = 10_000;

function gauge(name: string, help: string): import('prom-client').Gauge {
  return (registry.getSingleMetric(name) as import('prom-client').Gauge | undefined) ?? new prom.Gauge({ name, help, registers: [registry] });
}
function counter(name: string, help: string): import('prom-client').Counter {
  return (registry.getSingleMetric(name) as import('prom-client').Counter | undefined) ?? new prom.Counter({ name, help, registers: [registry] });
}

/** The rotation deadline of a certificate: 70-90 % of its lifetime after notBefore. */
export function rotationDeadline(certPem: string, random: () => number = Math.random): number {
  const { notBefore, notAfter } = validity(certPem);
  return notBefore + (notAfter - notBefore) * (0.7 + 0.2 * random());
}

export class CertificateManager {
  private pair?: CertPair;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;
  private readonly now: () => number;
  private readonly ttl: import('prom-client').Gauge;
  private readonly renewErrors: import('prom-client').Counter;
  private rotating?: Promise<boolean>;

  constructor(private readonly o: CertificateManagerOptions) {
    this.pair = o.initial;
    this.now = o.now ?? Date.now;
    this.ttl = gauge(`kubelet_certificate_manager_${o.kind}_ttl_seconds`, `Gauge of the TTL (time-to-live) of the Kubelet's ${o.kind} certificate. The value is in seconds until certificate expiry (negative if already expired).`);
    this.renewErrors = counter(`kubelet_certificate_manager_${o.kind}_expiration_renew_errors`, `Counter of ${o.kind} certificate renewal errors.`);
  }

  current(): CertPair | undefined {
    return this.pair;
  }

  /** Schedules the renewal at the current certificate's rotation deadline. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs?: number): void {
    if (this.stopped) return;
    if (!this.pair) {
      this.timer = setTimeout(() => void this.tick(), delayMs ?? 0);
      this.timer.unref?.();
      return;
    }
    const { notAfter } = validity(this.pair.cert);
    this.ttl.set(Math.round((notAfter - this.now()) / 1000));
    let wait = delayMs;
    if (wait === undefined) {
      const deadline = rotationDeadline(this.pair.cert, this.o.random);
      this.o.log.info({ expiration: new Date(notAfter).toISOString(), rotationDeadline: new Date(deadline).toISOString() }, 'Certificate expiration is ' + new Date(notAfter).toISOString() + ', rotation deadline is ' + new Date(deadline).toISOString());
      // At least 1 s between rounds (kubelet's loop runs every second): a certificate whose
      // deadline has passed already (a signing duration short next to the signer's 5 min
      // backdating) is renewed again and again, as in kube, but not in a busy loop.
      wait = Math.max(1000, deadline - this.now());
      this.o.log.info({ sleep: `${Math.round(wait / 1000)}s` }, 'Waiting for next certificate rotation');
    }
    if (this.timer) clearTimeout(this.timer);
    // setTimeout's maximum is ~24.8 days: wake up earlier and look again.
    this.timer = setTimeout(() => void this.tick(), Math.min(wait, 2 ** 31 - 1));
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.pair && this.now() < rotationDeadline(this.pair.cert, () => 0) && !this.failures) return this.schedule();
    const ok = await this.rotate();
    if (ok) this.schedule();
    else this.schedule(Math.min(2000 * 2 ** Math.min(this.failures - 1, 10), 5 * 60_000));
  }

  /** One renewal; resolves true once the new pair is in use. */
  rotate(): Promise<boolean> {
    this.rotating ??= this.doRotate().finally(() => (this.rotating = undefined));
    return this.rotating;
  }

  private async doRotate(): Promise<boolean> {
    this.o.log.info({ signer: this.o.signerName }, 'Rotating certificates');
    try {
      const user = `system:node:${this.o.nodeName}`;
      const { csr, key } = this.o.makeCsr ? await this.o.makeCsr() : await createCsr(user, ['system:nodes']);
      const client = this.o.client();
      const name = `csr-${createHash('sha256').update(csr).digest('hex').slice(0, 20)}`;
      await client
        .post(resourcePath(CSRS), {
          apiVersion: 'certificates.k8s.io/v1',
          kind: 'CertificateSigningRequest',
          metadata: { name },
          spec: { request: Buffer.from(csr).toString('base64'), signerName: this.o.signerName, usages: this.o.usages },
        })
        .catch((e) => {
          if (!isAlreadyExists(e)) throw e;
        });
      const cert = await this.waitForCertificate(client, name);
      const pair = { cert, key };
      this.o.store.update(pair, this.now());
      this.pair = pair;
      this.failures = 0;
      this.o.onRotated(pair);
      this.o.log.info({ csr: name, expiration: new Date(validity(cert).notAfter).toISOString() }, 'Certificate rotated');
      return true;
    } catch (e) {
      this.failures++;
      this.renewErrors.inc();
      this.o.log.error({ err: (e as Error).message }, 'Failed while requesting a signed certificate from the control plane');
      return false;
    }
  }

  private async waitForCertificate(client: RestClient, name: string): Promise<string> {
    const end = this.now() + (this.o.csrTimeoutMs ?? 15 * 60_000);
    for (;;) {
      if (this.stopped) throw new Error('certificate manager stopped');
      let cur;
      try {
        // Bounded: a request on a connection that died under it (the other certificate's
        // rotation replaces connections) must not stall the wait for good.
        let timer: NodeJS.Timeout | undefined;
        cur = await Promise.race([
          client.get(resourcePath(CSRS, undefined, name)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`reading certificate signing request ${name} timed out`)), READ_TIMEOUT_MS);
            timer.unref?.();
          }),
        ]).finally(() => clearTimeout(timer));
      } catch (e) {
        // A dropped connection (the other certificate's rotation closes them) is not the end of
        // the wait; a deleted request is.
        if (isNotFound(e) || this.now() > end) throw e;
        await sleep(this.o.pollMs ?? 500);
        continue;
      }
      const conds: Array<{ type?: string; reason?: string; message?: string }> = cur.status?.conditions ?? [];
      const bad = conds.find((c) => c.type === 'Denied' || c.type === 'Failed');
      if (bad) throw new Error(`certificate signing request ${name} is ${bad.type === 'Denied' ? 'denied' : 'failed'}, reason: ${bad.reason ?? ''}, message: ${bad.message ?? ''}`);
      if (cur.status?.certificate) return Buffer.from(String(cur.status.certificate), 'base64').toString('utf8');
      if (this.now() > end) throw new Error(`timed out waiting for the certificate signing request ${name} to be approved and issued`);
      await sleep(this.o.pollMs ?? 500);
    }
  }
}
