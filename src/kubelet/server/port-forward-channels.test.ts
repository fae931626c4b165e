import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { channelPorts, channelProtocols, portForwardOverChannels } from './port-forward-channels.js';
import { logger } from '../../util/log.js';

test('?port= as the kubelet reads it (NewV4Options)', () => {
  assert.deepEqual(channelPorts(new URLSearchParams('port=80&port=8080,9090')), [80, 8080, 9090]);
  assert.equal(channelPorts(new URLSearchParams('')), 'query parameter "port" is required');
  assert.equal(channelPorts(new URLSearchParams('port=')), 'query parameter "port" cannot be empty');
  assert.equal(channelPorts(new URLSearchParams('port=http')), 'unable to parse "http" as a port: strconv.ParseUint: parsing "http": invalid syntax');
  assert.equal(channelPorts(new URLSearchParams('port=70000')), 'unable to parse "70000" as a port: strconv.ParseUint: parsing "70000": value out of range');
  assert.equal(channelPorts(new URLSearchParams('port=0')), 'port "0" must be > 0');
});

/** A server on 127.0.0.1 echoing "echo:<input>" and closing; a WebSocket server forwarding to it. */
async function setup(t: { after(f: () => unknown): void }): Promise<{ wsPort: number; echoPort: number }> {
  const echo: Server = createServer((s) => s.once('data', (d) => s.end(`echo:${d}`)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const echoPort = (echo.address() as AddressInfo).port;
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (p) => channelProtocols.find((x) => p.has(x)) ?? false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const log = logger('port-forward-test');
  wss.on('connection', (ws, req) => {
    const ports = channelPorts(new URL(req.url ?? '/', 'http://x').searchParams) as number[];
    const dial = (port: number) =>
      new Promise<ReturnType<typeof connect>>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    portForwardOverChannels(ws, ports, dial, 'keelson-pod', log);
  });
  t.after(() => {
    echo.close();
    wss.close();
  });
  return { wsPort: (wss.address() as AddressInfo).port, echoPort };
}

/** Opens a session, sends `input` on the first data channel, collects messages until the close. */
function session(url: string, protocol: string, input: string): Promise<{ channel: number; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [protocol]);
    const got: { channel: number; data: Buffer }[] = [];
    const base64 = protocol.includes('base64');
    ws.on('open', () => {
      assert.equal(ws.protocol, protocol);
      if (base64) ws.send('0' + Buffer.from(input).toString('base64'));
      else ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(input)]));
    });
    ws.on('message', (m: Buffer, isBinary: boolean) => {
      if (base64) {
        assert.equal(isBinary, false);
        got.push({ channel: m.toString().charCodeAt(0) - 48, data: Buffer.from(m.toString().slice(1), 'base64') });
      } else got.push({ channel: m[0], data: m.subarray(1) });
    });
    ws.on('close', () => resolve(got));
    ws.on('error', reject);
  });
}

for (const protocol of channelProtocols) {
  test(`${protocol}: the port on both channels first, then data both ways; closed when the pod's connection ends`, async (t) => {
    const { wsPort, echoPort } = await setup(t);
    const got = await session(`ws://127.0.0.1:${wsPort}/?port=${echoPort}`, protocol, 'hello');
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(echoPort);
    assert.deepEqual(got.slice(0, 2), [
      { channel: 0, data: portBytes },
      { channel: 1, data: portBytes },
    ]);
    assert.equal(Buffer.concat(got.slice(2).filter((m) => m.channel === 0).map((m) => m.data)).toString(), 'echo:hello');
    assert.deepEqual(got.filter((m) => m.channel === 1).length, 1);
  });
}

test('a port nothing listens on: the kubelet error text on the error channel', async (t) => {
  const { wsPort } = await setup(t);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  const got = await session(`ws://127.0.0.1:${wsPort}/?port=${port}`, 'v4.channel.k8s.io', 'x');
  const errors = got.filter((m) => m.channel === 1).slice(1);
  assert.equal(errors.length, 1);
  assert.match(errors[0].data.toString(), new RegExp(`^error forwarding port ${port} to pod keelson-pod, uid : .*ECONNREFUSED`));
});
