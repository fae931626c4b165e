// Volumes for the process runtime: a host process cannot get a root filesystem of its own, but
// when the kubelet runs as root it can get a mount namespace of its own. The container's command
// then runs under `unshare --mount --propagation private`, where each volume is bind-mounted at
// its mountPath (read-only ones remounted read-only) before the command is exec'd; the host's
// mount table is untouched. Divergence: missing mount points are created on the host (empty
// directories, or empty files for a file subPath) since there is no image filesystem to hold
// them; without root the command runs unchanged and volumes stay at their paths under the
// kubelet's root dir.
import { statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface ProcessMount {
  containerPath: string;
  hostPath: string;
  readOnly: boolean;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

let unshareFound: boolean | undefined;
const hasUnshare = (): boolean => (unshareFound ??= spawnSync('unshare', ['--version']).status === 0);

/** The argv that runs `argv` with `mounts` in a mount namespace of its own, or `argv` itself when
 * there is nothing to mount or it cannot be done (not root, no unshare). */
export function withMountNamespace(argv: string[], mounts: ProcessMount[] | undefined, isRoot = process.getuid?.() === 0): string[] {
  if (!mounts?.length || !isRoot || !hasUnshare()) return argv;
  const steps: string[] = [];
  for (const m of mounts) {
    let isDir: boolean;
    try {
      isDir = statSync(m.hostPath).isDirectory();
    } catch {
      isDir = true;
    }
    const dst = q(m.containerPath);
    steps.push(isDir ? `mkdir -p ${dst}` : `{ [ -e ${dst} ] || { mkdir -p "$(dirname ${dst})" && : > ${dst}; }; }`);
    steps.push(`mount --bind ${q(m.hostPath)} ${dst}`);
    if (m.readOnly) steps.push(`mount -o remount,bind,ro ${dst}`);
  }
  const script = `set -e; ${steps.join(' && ')}; exec "$@"`;
  return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', ...argv];
}

/** The argv that runs `argv` in the mount namespace of process `pid` (a container started by
 * withMountNamespace), so `kubectl exec` and `kubectl cp` see the container's volumes. */
export const inMountNamespaceOf = (pid: number, argv: string[]): string[] => ['nsenter', `--target=${pid}`, '--mount', '--', ...argv];
