// The process runtime's network namespace per pod (root only), with the real CNI plugins on a
// throwaway bridge: each sandbox gets its own IP from the pod CIDR, pods reach each other by pod
// IP, exec runs in the pod's namespace, port-forward reaches a server bound to the pod's loopback,
// a refused port is a dial error, and removing the sandboxes (then closing) leaves no netns,
// veth or bridge behind; neither does purgePodNetworks after a kubelet that never closed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../../../util/log.js';
import { isRoot } from '../../../../test/helpers/netns.js';
import { until } from '../../../../test/helpers/until.js';
import { freePort } from '../../../../test/helpers/etcd.js';
import { hostIPv4 } from '../../node-status.js';
import { ProcessRuntime } from './runtime.js';
import { podNetnsName, podVethName, ProcessPodNetwork, purgePodNetworks } from './pod-network.js';
import { masqueradeChain } from './pod-masquerade.js';

const root = isRoot() && existsSync('/usr/lib/cni/bridge');
const ipOut = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const SERVER = "require('http').createServer((q,s)=>s.end('hello from '+process.env.NAME)).listen(+process.env.PORT,process.env.HOST,()=>console.log('up'))";

describe('ProcessRuntime: a network namespace per pod', { skip: !root && 'needs root and the CNI plugins' }, () => {
  const id = randomBytes(2).toString('hex');
  const bridge = `keelson-t${id}`;
  const cidr = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2), 16) % 250}.0/24`;
  const dir = mkdtempSync(join(tmpdir(), 'keelson-podnet-'));
  const net = new ProcessPodNetwork({ rootDir: dir, bridge, podCIDR: async () => cidr });
  const rt = new ProcessRuntime({ log: logger('test'), podNetwork: net });
  const uids = [`a${id}0000-0000-4000-8000-000000000001`, `b${id}0000-0000-4000-8000-000000000002`, `d${id}0000-0000-4000-8000-000000000003`];
  const stray: ChildProcess[] = [];
  after(async () => {
    for (const c of stray) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rt.close();
    await purgePodNetworks(dir);
    // Whatever a failed run left: the pods' namespaces, then the bridge.
    for (const what of [...uids.map((u) => ['netns', 'del', podNetnsName(u)]), ['link', 'del', bridge]]) {
      try {
        execFileSync('ip', what, { stdio: 'ignore' });
      } catch {
        /* already removed */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const sandbox = (uid: string, name: string) => ({ uid, name, namespace: 'default', nodeName: 'n', restartPolicy: 'Always' as const, hostNetwork: false, logDirectory: join(dir, name) });
  const started = async (sbId: string, name: string, env: Record<string, string>) => {
    const cid = await rt.createContainer(sbId, { name, image: '', command: [process.execPath, '-e', SERVER], args: [], env: Object.entries({ NAME: name, ...env }).map(([k, v]) => ({ name: k, value: v })), attempt: 0, logPath: join(dir, name, '0.log') });
    await rt.startContainer(cid);
    return cid;
  };

  it('gives each pod its own IP; pods reach each other by pod IP; exec and port-forward run in the pod; teardown leaves nothing', async () => {
    // a's port 8080 is also a hostPort (the portmap plugin's DNAT on the node's addresses).
    const hostPort = await freePort();
    const a = await rt.runPodSandbox({ ...sandbox(uids[0], 'a'), portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort }] });
    const b = await rt.runPodSandbox(sandbox(uids[1], 'b'));
    const natRules = execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' });
    assert.ok(natRules.includes(`id: \\"${a.id}\\"`), 'portmap\'s hostPort rules for a (they name the sandbox)');
    assert.ok(!natRules.includes(`id: \\"${b.id}\\"`), 'no per-pod rules for b: no hostPort, and the bridge plugin\'s ipMasq is off');
    assert.ok(natRules.includes(`-A POSTROUTING -s ${cidr} -m comment --comment "keelson pods on ${bridge}" -j ${masqueradeChain(bridge)}`), natRules);
    assert.ok(natRules.includes(`-A ${masqueradeChain(bridge)} ! -d 224.0.0.0/4 -j MASQUERADE`), 'the node masquerades its pods once');
    const prefix = cidr.split('.').slice(0, 3).join('.') + '.';
    assert.ok(a.ip.startsWith(prefix) && b.ip.startsWith(prefix), `${a.ip} ${b.ip} in ${cidr}`);
    assert.notEqual(a.ip, b.ip);
    assert.match(ipOut('netns', 'list'), new RegExp(podNetnsName(uids[0])));
    // The host sides of the veths carry keelson names (the pods' uid prefixes), on the bridge.
    const ports = ipOut('-o', 'link', 'show', 'master', bridge);
    for (const u of [uids[0], uids[1]]) assert.match(ports, new RegExp(`: ${podVethName(u)}@`), ports);
    const ca = await started(a.id, 'a', { PORT: '8080', HOST: '0.0.0.0' });
    const cb = await started(b.id, 'b', { PORT: '9090', HOST: '127.0.0.1' });
    // exec runs in the pod's namespace: eth0 carries the pod IP.
    const addr = await rt.exec(ca, ['ip', '-o', '-4', 'addr', 'show', 'eth0'], 10);
    assert.match(addr.stdout, new RegExp(`inet ${a.ip.replaceAll('.', '\\.')}/24`));
    // b reaches a by its pod IP.
    const got = await until('b reaches a by pod IP', async () => {
      const r = await rt.exec(cb, ['curl', '-s', '--max-time', '3', `http://${a.ip}:8080/`], 10);
      return r.exitCode === 0 && r.stdout;
    }, 20_000);
    assert.equal(got, 'hello from a');
    const viaHostPort = await until('a through its hostPort on the node IP', async () => {
      const r = await rt.exec(cb, ['curl', '-s', '--max-time', '3', `http://${hostIPv4()}:${hostPort}/`], 10);
      return r.exitCode === 0 && r.stdout;
    }, 20_000);
    assert.equal(viaHostPort, 'hello from a');
    // port-forward reaches b's server bound to the pod's own loopback.
    await until('b listening', async () => (await rt.exec(cb, ['curl', '-s', '--max-time', '2', 'http://127.0.0.1:9090/'], 5)).exitCode === 0, 20_000);
    const s = await rt.portForward!(b.id, 9090);
    let body = '';
    s.on('data', (d: Buffer) => (body += d));
    s.write('GET / HTTP/1.0\r\nHost: x\r\n\r\n');
    await new Promise((r) => s.once('end', r));
    assert.match(body, /hello from b$/);
    await assert.rejects(rt.portForward!(b.id, 9), /dial tcp4 127\.0\.0\.1:9: connect: connection refused/);
    // A missing program in a pod's namespace reads as a runtime says it.
    assert.match((await rt.exec(ca, ['keelson-no-such-program'], 5)).stderr, /executable file not found in \$PATH/);
    // Teardown: namespaces and veths go with the sandboxes, the bridge with close().
    await rt.removePodSandbox(a.id);
    await rt.removePodSandbox(b.id);
    assert.doesNotMatch(ipOut('netns', 'list'), new RegExp(`${podNetnsName(uids[0])}|${podNetnsName(uids[1])}`));
    assert.equal(ipOut('-o', 'link', 'show', 'master', bridge).trim(), '');
    // CNI DEL removed the bridge plugin's masquerade chains (commented with the sandbox id).
    const nat = execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' });
    assert.ok(!nat.includes(`id: \\"${a.id}\\"`) && !nat.includes(`id: \\"${b.id}\\"`), 'no masquerade rules left for the pods');
    await rt.close();
    assert.throws(() => ipOut('link', 'show', bridge));
    assert.ok(!execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' }).includes(masqueradeChain(bridge)), 'the masquerade chain goes with the bridge');
  });

  it('purgePodNetworks removes what a kubelet killed with SIGKILL left: processes in the netns, CNI state, netns, bridge', async () => {
    const crashed = new ProcessPodNetwork({ rootDir: dir, bridge, podCIDR: async () => cidr });
    const { ip: podIP, netns } = await crashed.setUp(`keelson-crashed-${id}`, sandbox(uids[2], 'd'));
    const sleeper = spawn('nsenter', [`--net=${netns}`, '--', 'sleep', '300'], { detached: true, stdio: 'ignore' });
    stray.push(sleeper);
    const gone = new Promise((r) => sleeper.once('exit', r));
    await until('the process in the netns', async () => new RegExp(`^${sleeper.pid}$`, 'm').test(ipOut('netns', 'pids', podNetnsName(uids[2]))), 10_000);
    // No close(): the next kubelet (or keelson killall) finds the record under the root dir.
    assert.equal(await purgePodNetworks(dir), 1);
    await gone;
    assert.doesNotMatch(ipOut('netns', 'list'), new RegExp(podNetnsName(uids[2])));
    assert.ok(!execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' }).includes(`id: \\"keelson-crashed-${id}\\"`));
    assert.throws(() => ipOut('link', 'show', bridge));
    assert.ok(!execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' }).includes(masqueradeChain(bridge)));
    assert.ok(podIP.startsWith(cidr.split('.').slice(0, 3).join('.')));
  });

  it('keeps a hostNetwork pod on the host network', async () => {
    const h = await rt.runPodSandbox({ ...sandbox(`c${id}`, 'h'), hostNetwork: true });
    assert.doesNotMatch(h.ip, new RegExp(`^${cidr.split('.').slice(0, 3).join('\\.')}\\.`));
    assert.doesNotMatch(ipOut('netns', 'list'), new RegExp(podNetnsName(`c${id}`)));
    await rt.removePodSandbox(h.id);
  });
});
