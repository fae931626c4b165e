// What one probe attempt yields, as the kubelet's prober reports it: the result and an output
// that becomes the Unhealthy event's message ("Liveness probe failed: <output>").
export interface ProbeResult {
  ok: boolean;
  output: string;
}

export const KUBE_PROBE_USER_AGENT = 'kube-probe/1.32';

/** A whole number of seconds as Go prints a time.Duration: 1s, 59s, 1m0s, 1h0m5s. */
export function goSeconds(total: number): string {
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

/** A gRPC status code's name as Go's codes.Code prints it (DEADLINE_EXCEEDED -> DeadlineExceeded). */
export function goGrpcCodeName(upperSnake: string): string {
  if (upperSnake === 'OK') return 'OK';
  return upperSnake
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** A socket error as Go's net package words a failed dial to host:port. */
export function goDialError(host: string, port: number, e: NodeJS.ErrnoException | 'timeout'): string {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (e === 'timeout') return `dial tcp ${addr}: i/o timeout`;
  const why: Record<string, string> = {
    ECONNREFUSED: 'connect: connection refused',
    EHOSTUNREACH: 'connect: no route to host',
    ENETUNREACH: 'connect: network is unreachable',
    ECONNRESET: 'read: connection reset by peer',
  };
  return `dial tcp ${addr}: ${why[e.code ?? ''] ?? e.message}`;
}
