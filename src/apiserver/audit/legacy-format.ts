// `--audit-log-format=legacy`: kube's one-line text form of an audit event (audit.EventString):
// `<received, RFC 3339 nano> AUDIT: id="..." stage="..." ip="..." method="<verb>" user="..."
// groups="..." as="..." asgroups="..." user-agent="..." namespace="..." uri="..." response="<code>"`.

/** Go's %q for a string: double-quoted with Go's escapes for control characters. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-1][0-9a-f])/g, '\\x$1').replace(/\u007f/g, '\\x7f');
}

/** Go's time.RFC3339Nano: the fraction without trailing zeros (none when zero). */
export function rfc3339Nano(micro: string): string {
  return micro.replace(/\.(\d+)Z$/, (_, f: string) => (f.replace(/0+$/, '') ? `.${f.replace(/0+$/, '')}Z` : 'Z'));
}

const slice = (xs: string[]) => xs.map(goQuote).join(',');

interface LegacyEvent {
  auditID?: string;
  stage?: string;
  sourceIPs?: string[];
  verb?: string;
  user?: { username?: string; groups?: string[] };
  impersonatedUser?: { username?: string; groups?: string[] };
  userAgent?: string;
  objectRef?: { namespace?: string };
  requestURI?: string;
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
}

export function legacyLine(ev: LegacyEvent): string {
  const username = ev.user?.username || '<none>';
  const groups = ev.user?.username && ev.user.groups?.length ? slice(ev.user.groups) : '<none>';
  const as = ev.impersonatedUser ? (ev.impersonatedUser.username ?? '') : '<self>';
  const asgroups = ev.impersonatedUser?.groups ? slice(ev.impersonatedUser.groups) : '<lookup>';
  const response = ev.responseStatus ? String(ev.responseStatus.code ?? 0) : '<deferred>';
  const fields: Array<[string, string]> = [
    ['id', ev.auditID ?? ''],
    ['stage', ev.stage ?? ''],
    ['ip', ev.sourceIPs?.[0] ?? '<unknown>'],
    ['method', ev.verb ?? ''],
    ['user', username],
    ['groups', groups],
    ['as', as],
    ['asgroups', asgroups],
    ['user-agent', ev.userAgent ?? ''],
    ['namespace', ev.objectRef?.namespace || '<none>'],
    ['uri', ev.requestURI ?? ''],
  ];
  return `${rfc3339Nano(ev.requestReceivedTimestamp ?? '')} AUDIT: ${fields.map(([k, v]) => `${k}=${goQuote(v)}`).join(' ')} response="${response}"`;
}
