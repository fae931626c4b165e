// Clients for proxy tests against the servers of netns.ts (which answer "<name> <client
// address>"): curl from the host or inside a test namespace, the names answering n requests,
// and a UDP question.
import { execFile } from 'node:child_process';
import type { TestNs } from './netns.js';

export interface Curl {
  /** curl's exit code (7 = connection refused, 28 = timeout). */
  code: number;
  body: string;
  ms: number;
}

export function curl(url: string, ns?: TestNs): Promise<Curl> {
  const args = ['-s', '-m', '3', url];
  const [cmd, argv] = ns ? ['ip', ['netns', 'exec', ns.ns, 'curl', ...args]] : ['curl', args];
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(cmd, argv, { timeout: 10_000 }, (err, stdout) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, body: stdout.trim(), ms: Date.now() - t0 });
    });
  });
}

/** Names answering `n` requests (the first word of each body). */
export async function names(url: string, n: number, ns?: TestNs): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await curl(url, ns)).body.split(' ')[0]);
  return out;
}

/** Send "hi" over UDP from inside `ns`; the answer, or '' after 2 s. */
export function udpAsk(ns: TestNs, host: string, port: number): string {
  const js = `const s=require('node:dgram').createSocket('udp4');s.on('message',(m)=>{process.stdout.write(String(m));process.exit(0)});s.send('hi',${port},'${host}');setTimeout(()=>process.exit(3),2000)`;
  try {
    return ns.exec(process.execPath, ['-e', js]).trim();
  } catch {
    return '';
  }
}
