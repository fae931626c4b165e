// Who may use the kubelet server, as the kubelet's --authentication/--authorization defaults in
// kubeadm clusters: a client certificate verified against --client-ca-file names the user (CN)
// and groups (O), anonymous requests are refused (401), and each request is authorized by
// asking the apiserver (a SubjectAccessReview, kube's Webhook mode) for the verb on the node's
// subresource: /stats -> nodes/stats, /metrics -> nodes/metrics, /logs -> nodes/log, /spec ->
// nodes/spec, everything else (containerLogs, exec, attach, portforward) -> nodes/proxy.
// Decisions are cached (allowed 5 min, denied 30 s), as the kubelet's webhook authorizer.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RestClient } from '../../client/rest-client.js';

export interface KubeletUser {
  name: string;
  groups: string[];
}

export class KubeletAuthError extends Error {
  constructor(
    readonly code: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The verified client certificate's user, or a 401. */
export function authenticateKubeletRequest(req: IncomingMessage): KubeletUser {
  const sock = req.socket as TLSSocket;
  const cert = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : undefined;
  if (!cert?.subject || !sock.authorized) throw new KubeletAuthError(401, 'Unauthorized');
  const cn = list(cert.subject.CN)[0];
  if (!cn) throw new KubeletAuthError(401, 'Unauthorized');
  return { name: cn, groups: [...list(cert.subject.O), 'system:authenticated'] };
}

/** The node subresource and verb a kubelet request needs (kube's kubelet auth.go). */
export function kubeletAttributes(method: string, path: string): { verb: string; subresource: string } {
  const verb = ({ GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method.toUpperCase()] ?? 'get';
  const first = path.split('/')[1] ?? '';
  const subresource = ({ stats: 'stats', metrics: 'metrics', logs: 'log', spec: 'spec', checkpoint: 'checkpoint' } as Record<string, string>)[first] ?? 'proxy';
  return { verb, subresource };
}

export class KubeletAuthorizer {
  private readonly cache = new Map<string, { allowed: boolean; until: number }>();

  constructor(
    private readonly client: RestClient,
    private readonly nodeName: string,
  ) {}

  async authorize(user: KubeletUser, method: string, path: string): Promise<void> {
    const { verb, subresource } = kubeletAttributes(method, path);
    const key = `${user.name}\n${user.groups.join(',')}\n${verb}\n${subresource}`;
    const hit = this.cache.get(key);
    let allowed = hit && hit.until > Date.now() ? hit.allowed : undefined;
    if (allowed === undefined) {
      const sar = (await this.client.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: user.name, groups: user.groups, resourceAttributes: { verb, resource: 'nodes', subresource, name: this.nodeName } },
      })) as { status?: { allowed?: boolean } };
      allowed = sar.status?.allowed === true;
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(key, { allowed, until: Date.now() + (allowed ? 300_000 : 30_000) });
    }
    if (!allowed) throw new KubeletAuthError(403, `Forbidden (user=${user.name}, verb=${verb}, resource=nodes, subresource=${subresource})`);
  }
}
