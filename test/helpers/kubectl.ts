// Runs the real kubectl (from PATH) against a test apiserver, asynchronously (the apiserver may
// live in this process), with its own discovery cache dir.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr, as a user sees them. */
  out: string;
}

export interface KubectlEnv {
  kubeconfig: string;
  cacheDir: string;
  /** Extra environment (KUBE_EDITOR, ...). */
  env?: Record<string, string>;
}

export function kubectlWith(k: KubectlEnv) {
  return (args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        'kubectl',
        args,
        { env: { ...process.env, KUBECONFIG: k.kubeconfig, KUBECACHEDIR: k.cacheDir, ...k.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
          resolve({ code, stdout, stderr, out: stdout + stderr });
        },
      );
      if (opts.input !== undefined) child.stdin!.end(opts.input);
      else child.stdin!.end();
    });
}

/**
 * `ok(args)`: kubectl must succeed (its stdout); `fails(args)`: it must fail (stdout + stderr).
 * The assertion message carries what kubectl printed. `kubectl` is read at each call (suites set
 * their server up in `before`).
 */
export function kubectlExpect(kubectl: () => ReturnType<typeof kubectlWith>) {
  return {
    ok: async (args: string[], input?: string): Promise<string> => {
      const r = await kubectl()(args, { input });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.out}`);
      return r.stdout;
    },
    fails: async (args: string[], input?: string): Promise<string> => {
      const r = await kubectl()(args, { input });
      assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail:\n${r.out}`);
      return r.out;
    },
  };
}
