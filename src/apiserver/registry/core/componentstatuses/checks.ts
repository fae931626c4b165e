// The health checks behind core/v1 ComponentStatus (`kubectl get componentstatuses`), as
// kube-apiserver runs them: the scheduler's and the controller manager's /healthz on their default
// secure ports on 127.0.0.1 (HTTPS, certificate not verified), and each etcd server. A check
// answers the one condition of type Healthy: True with the component's answer ("ok"), False with
// the failure as the message (an HTTP status or a connection error, worded as kube's Go client
// words it), Unknown when it could not be run. `keelson server` replaces the scheduler and
// controller-manager checks with in-process ones (its components have no health port).
import https from 'node:https';
import http from 'node:http';

export interface ComponentHealth {
  status: 'True' | 'False' | 'Unknown';
  message: string;
  error?: string;
}
export type ComponentCheck = () => Promise<ComponentHealth>;
/** Component name -> its check, in the order `kubectl get cs` lists them. */
export type ComponentChecks = Map<string, ComponentCheck>;

/** kube's probeTimeOut for component checks. */
export const PROBE_TIMEOUT_MS = 20_000;

export interface ProbeTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Do not verify the server's certificate (kube does not for the scheduler and controller manager). */
  insecure?: boolean;
}

/** A Go-client-like wording of a failed GET, e.g. `Get "https://127.0.0.1:10259/healthz": dial tcp 127.0.0.1:10259: connect: connection refused`. */
function describeError(url: URL, e: NodeJS.ErrnoException): string {
  const hostPort = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  const why =
    e.code === 'ECONNREFUSED' ? `dial tcp ${hostPort}: connect: connection refused`
    : e.code === 'ETIMEDOUT' || e.code === 'KEELSON_TIMEOUT' ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    : e.code === 'ECONNRESET' ? `read tcp ${hostPort}: read: connection reset by peer`
    : e.message;
  return `Get ${JSON.stringify(url.href)}: ${why}`;
}

/** kube's HTTP prober: 2xx/3xx is healthy with the body as the message; other codes and errors are not. */
export function httpHealthCheck(target: string, tls: ProbeTls = {}, timeoutMs = PROBE_TIMEOUT_MS): ComponentCheck {
  const url = new URL(target);
  return () =>
    new Promise<ComponentHealth>((resolve) => {
      const lib = url.protocol === 'https:' ? https : http;
      const opts = url.protocol === 'https:' ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure, agent: false as const } : { agent: false as const };
      const req = lib.get(url, opts, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // A health answer is short; keep at most 10 KiB of it, as kube's prober does.
          if (size < 10240) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8').slice(0, 10240);
          if (code >= 200 && code < 400) resolve({ status: 'True', message: body });
          else resolve({ status: 'False', message: `HTTP probe failed with statuscode: ${code}` });
        });
        res.on('error', (e) => resolve({ status: 'False', message: describeError(url, e) }));
      });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'KEELSON_TIMEOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: 'False', message: describeError(url, e) }));
    });
}

/** A check that runs `probe` (e.g. a store read): healthy with "ok", else False with the error. */
export function callbackCheck(probe: () => Promise<unknown>): ComponentCheck {
  return async () => {
    try {
      await probe();
      return { status: 'True', message: 'ok' };
    } catch (e) {
      return { status: 'False', message: '', error: (e as Error).message };
    }
  };
}

export interface DefaultChecksOptions {
  /** The apiserver's own store check (embedded store, or the etcd cluster through the client). */
  storeProbe: () => Promise<unknown>;
  /** --etcd-servers: one etcd-<i> per server, each probed at <url>/health. Empty: the embedded store as etcd-0. */
  etcdServers: string[];
  etcdTls?: ProbeTls;
}

/** kube-apiserver's list: scheduler, controller-manager, etcd-0..N. */
export function defaultComponentChecks(o: DefaultChecksOptions): ComponentChecks {
  const checks: ComponentChecks = new Map();
  checks.set('scheduler', httpHealthCheck('https://127.0.0.1:10259/healthz', { insecure: true }));
  checks.set('controller-manager', httpHealthCheck('https://127.0.0.1:10257/healthz', { insecure: true }));
  if (!o.etcdServers.length) checks.set('etcd-0', callbackCheck(o.storeProbe));
  o.etcdServers.forEach((server, i) => {
    const http = httpHealthCheck(`${server.replace(/\/+$/, '')}/health`, o.etcdTls);
    // etcd answers {"health":"true"}; a member that answers but is not healthy fails the check.
    checks.set(`etcd-${i}`, async () => {
      const r = await http();
      if (r.status !== 'True') return r;
      try {
        if (String(JSON.parse(r.message).health) === 'true') return { status: 'True', message: 'ok' };
      } catch {
        // not JSON: fall through
      }
      return { status: 'False', message: r.message, error: `unhealthy etcd member: ${r.message}` };
    });
  });
  return checks;
}
