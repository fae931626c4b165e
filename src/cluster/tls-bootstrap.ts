// The kubelet's TLS bootstrap, as `keelson agent` does it on first start: authenticated by a
// bootstrap token, send a CertificateSigningRequest for the node's client certificate (signer
// kubernetes.io/kube-apiserver-client-kubelet, CN system:node:<name>, O system:nodes, usages
// digital signature + client auth for an ECDSA key), wait until the controller manager has
// approved (csrapproving) and signed (csrsigning) it, and write <data-dir>/kubelet.kubeconfig
// with the issued certificate, the key made here (it never leaves the node) and the cluster CA.
// A Denied or Failed request ends the wait with the condition's reason and message.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAlreadyExists, RestClient } from '../client/rest-client.js';
import { createCsr } from '../auth/pki/csr.js';
import { writeKubeconfig } from '../auth/pki/kubeconfig-file.js';
import { CSRS, KUBE_APISERVER_CLIENT_KUBELET } from '../controllers/certificates/csr-util.js';
import { resourcePath } from '../client/resources.js';
import { inspectCert } from '../auth/pki/certs.js';

export interface TlsBootstrapOptions {
  server: string;
  caCert: string;
  token: string;
  nodeName: string;
  /** Where to write the kubeconfig (kubelet.kubeconfig under the data dir). */
  kubeconfigPath: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CSR's name: the kubelet's "node-csr-" + a digest of the request (hex here, base64url in
 * kube: keelson validates CSR names as DNS subdomains). */
const csrName = (pem: string) => `node-csr-${createHash('sha256').update(pem).digest('hex').slice(0, 40)}`;

export async function tlsBootstrap(o: TlsBootstrapOptions): Promise<void> {
  if (existsSync(o.kubeconfigPath)) return;
  const user = `system:node:${o.nodeName}`;
  const { csr, key } = await createCsr(user, ['system:nodes']);
  const client = new RestClient({ server: o.server, ca: Buffer.from(o.caCert), token: o.token, userAgent: 'keelson-agent/tls-bootstrap' });
  try {
    const name = csrName(csr);
    await client
      .post(resourcePath(CSRS), {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name },
        spec: { request: Buffer.from(csr).toString('base64'), signerName: KUBE_APISERVER_CLIENT_KUBELET, usages: ['digital signature', 'client auth'] },
      })
      .catch((e) => {
        if (!isAlreadyExists(e)) throw e;
      });
    o.log?.(`certificate signing request ${name} sent for ${user}; waiting for approval and signing`);
    const end = Date.now() + (o.timeoutMs ?? 300_000);
    for (;;) {
      if (o.signal?.aborted) throw new Error('stopped while waiting for the node certificate');
      const cur = await client.get(resourcePath(CSRS, undefined, name));
      const bad = (cur.status?.conditions ?? []).find((c: any) => c?.type === 'Denied' || c?.type === 'Failed');
      if (bad) throw new Error(`certificate signing request ${name} was ${bad.type === 'Denied' ? 'denied' : 'failed'}: ${bad.reason ?? ''} ${bad.message ?? ''}`.trim());
      if (cur.status?.certificate) {
        const cert = Buffer.from(String(cur.status.certificate), 'base64').toString('utf8');
        if (!inspectCert(cert).issuedBy(o.caCert)) throw new Error(`the certificate issued for ${name} is not signed by the cluster CA`);
        writeKubeconfig(o.kubeconfigPath, { server: o.server, clusterName: 'keelson', userName: user, contextName: 'keelson', caCert: o.caCert, clientCert: cert, clientKey: key });
        o.log?.(`node certificate issued (${inspectCert(cert).subject.replace(/\n/g, ', ')}); wrote ${o.kubeconfigPath}`);
        return;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for certificate signing request ${name} to be approved and signed (is the csrapproving/csrsigning controller running?)`);
      await sleep(300);
    }
  } finally {
    client.close();
  }
}
