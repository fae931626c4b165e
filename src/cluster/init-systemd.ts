// systemd units for running the control plane as services (the "binaries as services" way of
// Kubernetes the hard way): one <name>.service per component of init-manifests.ts, with the same
// argv and environment as its static pod, ordered etcd -> kube-apiserver -> the rest, restarted
// on failure, plus kubelet.service for the node. Diverges: units start `keelson <component>`,
// not separate kube-* binaries.
import type { ControlPlaneComponent } from './init-manifests.js';

/** A word for ExecStart=, quoted when it holds spaces, quotes, backslashes or specifiers. */
function quote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@%+=:,./*-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function systemdUnit(u: { description: string; argv: string[]; env?: Record<string, string>; after?: string[] }): string {
  const after = ['network-online.target', ...(u.after ?? []).map((a) => `${a}.service`)];
  const lines = [
    '[Unit]',
    `Description=${u.description}`,
    'Documentation=https://kubernetes.io/docs/',
    'Wants=network-online.target',
    `After=${after.join(' ')}`,
    ...(u.after?.length ? [`Requires=${u.after.map((a) => `${a}.service`).join(' ')}`] : []),
    '',
    '[Service]',
    ...Object.entries(u.env ?? {}).map(([k, v]) => `Environment=${quote(`${k}=${v}`)}`),
    `ExecStart=${u.argv.map(quote).join(' \\\n  ')}`,
    'Restart=on-failure',
    'RestartSec=5',
    'LimitNOFILE=1048576',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}

/** <name>.service text of each component. */
export const componentUnit = (c: ControlPlaneComponent): string => systemdUnit({ description: c.description, argv: c.argv, env: c.env, after: c.after });
