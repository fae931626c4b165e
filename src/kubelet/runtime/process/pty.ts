// Pseudo-terminals for the process runtime (a container with `tty: true`, `kubectl exec -t`,
// `kubectl attach -t`). Node has no pty of its own; this uses @lydell/node-pty, an optional
// dependency that ships prebuilt binaries for linux/darwin/windows on x64 and arm64 inside npm
// packages (so `npm ci` installs it on a fresh machine without a compiler or a download at install
// time). The command runs as the leader of a new session with the pty as its controlling
// terminal; resize sets the window size on the pty (TIOCSWINSZ), which sends SIGWINCH to the
// foreground process group, as a terminal does. Without the package, asking for a tty fails with
// a message that says how to get it; everything else in the runtime works without it.
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { IPty } from '@lydell/node-pty';
import type { ExecSession } from '../types.js';

type PtyModule = typeof import('@lydell/node-pty');

let loaded: { mod?: PtyModule; error?: string } | undefined;

/** The node-pty module, or why it could not be loaded. */
function ptyModule(): { mod?: PtyModule; error?: string } {
  if (loaded) return loaded;
  try {
    loaded = { mod: createRequire(import.meta.url)('@lydell/node-pty') as PtyModule };
  } catch (e) {
    loaded = { error: (e as Error).message.split('\n')[0] };
  }
  return loaded;
}

/** Thrown when a tty is asked for and there is no pty support on this install. */
export class PtyUnavailableError extends Error {}

export interface PtySpawnOptions {
  cwd?: string;
  env: Record<string, string>;
  cols?: number;
  rows?: number;
}

/** Starts argv on a new pty (80x24 unless told); throws PtyUnavailableError without node-pty.
 * `load` gives the module (tests pass one that fails). */
export function spawnPty(argv: string[], o: PtySpawnOptions, load: () => { mod?: PtyModule; error?: string } = ptyModule): IPty {
  const { mod, error } = load();
  if (!mod) throw new PtyUnavailableError(`process runtime: a tty needs the optional dependency @lydell/node-pty, which is not installed (npm install @lydell/node-pty): ${error}`);
  return mod.spawn(argv[0], argv.slice(1), { name: o.env.TERM ?? 'xterm', cols: o.cols ?? 80, rows: o.rows ?? 24, cwd: o.cwd, env: { TERM: 'xterm', ...o.env } });
}

/** The exit code of a pty child as a shell reports it (128 + signal when killed). */
export const ptyExitCode = (e: { exitCode: number; signal?: number }): number => (e.signal ? 128 + e.signal : e.exitCode);

/** Kills the pty child's whole session (it is a process group leader). */
export function killPty(p: IPty, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-p.pid, signal);
  } catch {
    try {
      p.kill(signal);
    } catch {
      /* gone */
    }
  }
}

/** Applies a terminal size from a client (kubectl's resize messages); ignores nonsense. */
export function resizePty(p: IPty, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || width > 65535 || height > 65535) return;
  try {
    p.resize(width, height);
  } catch {
    /* the pty is gone */
  }
}

/** An exec session over a pty: one output stream (stdout; stderr is the same terminal and
 * stays empty), stdin written to the terminal, resize, the exit code when the command ends. */
export function ptyExecSession(p: IPty): ExecSession {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stderr.end();
  const data = p.onData((d) => stdout.write(d));
  // Keystrokes arrive in arbitrary chunks: decode so a UTF-8 character split between two stays whole.
  const utf8 = new StringDecoder('utf8');
  stdin.on('data', (d: Buffer) => {
    try {
      p.write(utf8.write(d));
    } catch {
      /* the pty is gone */
    }
  });
  return {
    stdin,
    stdout,
    stderr,
    exited: new Promise<number>((resolve) => {
      p.onExit((e) => {
        // node-pty delivers the last output before the exit event; close the stream after it.
        setImmediate(() => {
          data.dispose();
          stdout.end();
          resolve(ptyExitCode(e));
        });
      });
    }),
    kill: () => killPty(p),
    resize: (w, h) => resizePty(p, w, h),
  };
}
