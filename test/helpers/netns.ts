// A throwaway L2 network for root tests: a bridge keelson-b<id> with a /24 of 10.x.y.0 (the
// bridge holds .1, the gateway) and network namespaces keelson-test-<id>-<name> joined to it by
// veth pairs (host side keelson-v<id><n>, hairpin on, so a namespace can reach itself through a
// service). `serve` runs a small node HTTP + UDP server in a namespace answering with its name
// (HTTP: "<name> <client address>", so tests see masquerading).
// cleanup() kills the servers and removes the namespaces and links.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TestNs {
  name: string;
  ns: string;
  ip: string;
  /** Run a command inside the namespace; returns stdout (throws on failure). */
  exec(cmd: string, args: string[], timeoutMs?: number): string;
}

export interface TestNetwork {
  id: string;
  bridge: string;
  /** The /24, e.g. 10.213.7.0/24. */
  cidr: string;
  gateway: string;
  addNs(name: string): TestNs;
  /** HTTP on tcp/port and a UDP echo on udp/port inside `ns`, both answering `ns.name`. */
  serve(ns: TestNs, port: number): Promise<void>;
  cleanup(): void;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

const SERVER = `
const http = require('node:http'), dgram = require('node:dgram');
const [name, port] = process.argv.slice(1);
http.createServer((req, res) => res.end(name + ' ' + req.socket.remoteAddress + '\\n')).listen(+port, '0.0.0.0');
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send(name + '\\n', r.port, r.address));
u.bind(+port, '0.0.0.0', () => console.log('listening'));
`;

export function createTestNetwork(): TestNetwork {
  const id = randomBytes(2).toString('hex');
  const subnet = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2), 16) % 250}`;
  const bridge = `keelson-b${id}`;
  const gateway = `${subnet}.1`;
  const namespaces: string[] = [];
  const links: string[] = [bridge];
  const children: ChildProcess[] = [];
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${gateway}/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  let n = 0;
  return {
    id,
    bridge,
    cidr: `${subnet}.0/24`,
    gateway,
    addNs(name) {
      const i = ++n;
      const ns = `keelson-test-${id}-${name}`;
      const host = `keelson-v${id}${i}`;
      const peer = `keelson-p${id}${i}`;
      const addr = `${subnet}.${10 + i}`;
      ip('netns', 'add', ns);
      namespaces.push(ns);
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer);
      links.push(host);
      ip('link', 'set', peer, 'netns', ns);
      ip('link', 'set', host, 'master', bridge);
      ip('link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on');
      ip('link', 'set', host, 'up');
      ip('-n', ns, 'link', 'set', peer, 'name', 'eth0');
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'route', 'add', 'default', 'via', gateway);
      return {
        name,
        ns,
        ip: addr,
        exec: (cmd, args, timeoutMs = 10_000) => execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] }).toString(),
      };
    },
    async serve(t, port) {
      const child = spawn('ip', ['netns', 'exec', t.ns, process.execPath, '-e', SERVER, t.name, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`server in ${t.ns} exited with ${code}`)));
      });
    },
    cleanup() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      for (const ns of namespaces) {
        try {
          ip('netns', 'del', ns);
        } catch {
          /* already gone */
        }
      }
      for (const l of links) {
        try {
          ip('link', 'del', l);
        } catch {
          /* removed with its namespace peer */
        }
      }
    },
  };
}
