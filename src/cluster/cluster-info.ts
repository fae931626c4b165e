// kubeadm's token discovery: `keelson server` publishes kube-public/cluster-info (a kubeconfig
// with the API's address and the cluster CA, readable anonymously; the bootstrapsigner
// controller adds a detached JWS per signing token), and a joining node reads it without trusting
// anyone yet, then believes the CA only when (a) the JWS for its token verifies (whoever signed it
// knew the token) and (b) when given, the CA's public key matches the pinned
// `--ca-cert-hash sha256:...` (kubeadm's --discovery-token-ca-cert-hash).
// Divergence: kubeadm insists on the pin unless told --discovery-token-unsafe-skip-ca-verification;
// keelson accepts the JWS alone and says so in the log.
import { compactVerify } from 'jose';
import { parse, stringify } from 'yaml';
import { isAlreadyExists, isNotFound, RestClient } from '../client/rest-client.js';
import { caCertHash } from '../auth/pki/csr.js';
import { TOKEN_RE } from './bootstrap-tokens.js';

const PATH = '/api/v1/namespaces/kube-public/configmaps/cluster-info';

/** Creates or refreshes cluster-info (keeps the signatures already there when unchanged). */
export async function publishClusterInfo(client: RestClient, server: string, caPem: string): Promise<void> {
  const doc = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: '', cluster: { 'certificate-authority-data': Buffer.from(caPem).toString('base64'), server } }], contexts: [], 'current-context': '', preferences: {}, users: [] };
  const text = stringify(doc);
  try {
    const cm = await client.get(PATH);
    if (cm.data?.kubeconfig === text) return;
    // A new kubeconfig invalidates the old signatures; the bootstrap signer makes new ones.
    await client.put(PATH, { ...cm, data: { kubeconfig: text } });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await client.post('/api/v1/namespaces/kube-public/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig: text } }).catch((err) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }
}

export interface Discovered {
  /** The cluster CA (PEM). */
  caCert: string;
  /** The API address cluster-info names. */
  server: string;
  /** How the CA was trusted. */
  verifiedBy: string[];
}

/** Verifies a detached JWS ("header..signature") of `content` with the token. */
async function verifyDetached(jws: string, content: string, id: string, secret: string): Promise<boolean> {
  const [h, empty, sig] = jws.split('.');
  if (!h || empty !== '' || !sig) return false;
  try {
    const r = await compactVerify(`${h}.${Buffer.from(content).toString('base64url')}.${sig}`, new TextEncoder().encode(`${id}.${secret}`));
    return r.protectedHeader.kid === id;
  } catch {
    return false;
  }
}

/** One attempt at discovery; throws with kubeadm-like reasons (the caller retries). */
export async function discoverCluster(server: string, token: string, caCertHashes: string[] = []): Promise<Discovered> {
  const m = TOKEN_RE.exec(token);
  if (!m) throw new Error(`the bootstrap token "${token}" was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
  const [, id, secret] = m;
  // Nothing is trusted yet: no CA, no credentials (system:anonymous may read cluster-info).
  const anon = new RestClient({ server, insecureSkipTLSVerify: true, userAgent: 'keelson-agent/discovery' });
  let cm;
  try {
    cm = await anon.get(PATH);
  } finally {
    anon.close();
  }
  const content = String(cm.data?.kubeconfig ?? '');
  if (!content) throw new Error('the cluster-info ConfigMap does not yet contain a kubeconfig');
  const verifiedBy: string[] = [];
  const jws = cm.data?.[`jws-kubeconfig-${id}`];
  if (!jws) throw new Error(`there is no JWS signed token in the cluster-info ConfigMap. This token id "${id}" is invalid for this cluster, or if you have just created this token wait a few seconds`);
  if (!(await verifyDetached(String(jws), content, id, secret))) throw new Error('failed to verify JWS signature of received cluster info object, can\'t trust this API Server');
  verifiedBy.push(`JWS of token ${id}`);
  const doc = parse(content) as { clusters?: Array<{ cluster?: Record<string, string> }> };
  const cluster = doc.clusters?.[0]?.cluster ?? {};
  const caData = cluster['certificate-authority-data'];
  if (!caData) throw new Error('the cluster-info kubeconfig has no certificate-authority-data');
  const caCert = Buffer.from(caData, 'base64').toString('utf8');
  if (caCertHashes.length) {
    const actual = caCertHash(caCert);
    if (!caCertHashes.map((h) => h.toLowerCase()).includes(actual)) throw new Error(`cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${actual}" are pinned`);
    verifiedBy.push(`pinned ${actual}`);
  }
  return { caCert, server: cluster.server ?? server, verifiedBy };
}
