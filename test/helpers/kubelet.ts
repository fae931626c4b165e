// Runs `bin/keelson kubelet` for an e2e test: its output collected, and stop() that sends SIGTERM
// and falls back to SIGKILL after 10 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/keelson', import.meta.url));

export interface TestKubelet {
  proc: ChildProcess;
  /** What the kubelet printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export function startTestKubelet(args: string[], logLevel = 'info'): TestKubelet {
  const proc = spawn(bin, ['kubelet', ...args], { env: { ...process.env, KEELSON_LOG_LEVEL: logLevel }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };
  return { proc, output: () => output, stop };
}
