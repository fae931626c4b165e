// Running `ctr` (containerd's own CLI, shipped with the containerd package) against one
// containerd socket. Used where keelson needs containerd operations that the CRI does not offer
// (importing image archives, killing every task of a node when it is purged).
import { spawn } from 'node:child_process';

export interface CtrResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ctr --address <address> [-n <namespace>] args...`; never throws for a non-zero exit. */
export function ctr(address: string, args: string[], o: { namespace?: string; timeoutMs?: number } = {}): Promise<CtrResult> {
  const argv = ['--address', address, ...(o.namespace ? ['--namespace', o.namespace] : []), ...args];
  return new Promise((resolve) => {
    const child = spawn('ctr', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + String(e) });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Like ctr() but throws with ctr's message when it fails. */
export async function ctrOk(address: string, args: string[], o: { namespace?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await ctr(address, args, o);
  if (r.code !== 0) throw new Error(`ctr ${args.slice(0, 2).join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  return r.stdout;
}
