// Structured logs (pino) for every component. Level from KEELSON_LOG_LEVEL (default info);
// tests set it to "silent" or "warn". Logs go to stderr so stdout stays for command output.
import { pino, type Logger } from 'pino';

const root: Logger = pino(
  { level: process.env.KEELSON_LOG_LEVEL ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination({ fd: 2, sync: false }),
);

/** A child logger for one component (`component` appears on every line). */
export function logger(component: string): Logger {
  return root.child({ component });
}

export type { Logger };
