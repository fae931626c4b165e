// etcd's v2 HTTP API (--enable-v2), as etcd 3.4 serves it: /v2/keys (get, set, create, update,
// compare-and-swap, delete, compare-and-delete, in-order POST, wait/waitIndex watches, stream),
// /v2/members, /v2/stats/self|store|leader, /v2/machines. Response and error JSON as etcd's.
import type http from 'node:http';
import type { V2Handler } from '../http-handler.js';
import { send } from '../http-handler.js';
import type { Member } from '../members.js';
import { cleanPath, MAX_TTL_S, V2Error, V2Store, type V2Event } from './store.js';

export { V2Store } from './store.js';

export interface V2Info {
  clusterId: bigint;
  members(): Member[];
  self(): { name: string; id: bigint };
}

const startTime = new Date().toISOString();

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 4 * 1024 * 1024) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export function v2Handler(store: V2Store, info: V2Info): V2Handler {
  const cid = info.clusterId.toString(16);
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    send(res, status, 'application/json', JSON.stringify(body) + '\n', { 'X-Etcd-Cluster-Id': cid, ...headers });
  const indexHeaders = () => ({ 'X-Etcd-Index': String(store.index), 'X-Raft-Index': String(store.index), 'X-Raft-Term': '2' });
  const fail = (res: http.ServerResponse, e: unknown) => {
    if (e instanceof V2Error) json(res, e.status, e, { 'X-Etcd-Index': String(e.index) });
    else json(res, 500, { errorCode: 300, message: 'Raft Internal Error', cause: String(e), index: store.index });
  };

  const keys = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const path = cleanPath(decodeURIComponent(url.pathname.slice('/v2/keys'.length)));
    const form = new URLSearchParams(url.search);
    if (req.method === 'PUT' || req.method === 'POST' || req.method === 'DELETE') {
      const ct = String(req.headers['content-type'] ?? '');
      const body = await readBody(req);
      if (body && (ct === '' || ct.startsWith('application/x-www-form-urlencoded'))) {
        for (const [k, v] of new URLSearchParams(body)) if (!form.has(k)) form.set(k, v);
      }
    }
    const bool = (name: string): boolean | undefined => {
      const v = form.get(name);
      if (v === null || v === '') return undefined;
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new V2Error(209, `invalid value for "${name}"`, 0);
    };
    const int = (name: string, code: number): number | undefined => {
      const v = form.get(name);
      if (v === null || v === '') return undefined;
      if (!/^\d+$/.test(v)) throw new V2Error(code, `invalid value for "${name}"`, 0);
      return Number(v);
    };
    const ttl = () => {
      const v = form.get('ttl');
      if (v === null) return undefined;
      if (v === '') return 0;
      if (!/^-?\d+$/.test(v) || Math.abs(Number(v)) > MAX_TTL_S) throw new V2Error(202, 'invalid value for "ttl"', 0);
      return Number(v);
    };
    switch (req.method) {
      case 'GET':
      case 'HEAD': {
        const recursive = bool('recursive') ?? false;
        if (bool('wait')) {
          const waitIndex = int('waitIndex', 203) ?? 0;
          const stream = bool('stream') ?? false;
          const startIndex = store.index;
          const w = store.watch(path, recursive, waitIndex);
          const headers = { 'X-Etcd-Index': String(startIndex), 'X-Raft-Index': String(startIndex), 'X-Raft-Term': '2' };
          if (w.event) {
            json(res, 200, w.event, headers);
            return;
          }
          res.writeHead(200, { 'Content-Type': 'application/json', 'X-Etcd-Cluster-Id': cid, ...headers });
          res.flushHeaders();
          let current = w;
          const onClose = () => current.cancel();
          res.on('close', onClose);
          for (;;) {
            const e: V2Event = await current.wait!;
            if (res.destroyed) return;
            res.write(JSON.stringify(e) + '\n');
            if (!stream) break;
            current = store.watch(path, recursive, 0);
          }
          res.off('close', onClose);
          res.end();
          return;
        }
        const e = store.get(path, recursive, bool('sorted') ?? false);
        json(res, 200, e, indexHeaders());
        return;
      }
      case 'PUT': {
        const prevExist = bool('prevExist');
        const prevValue = form.get('prevValue') ?? undefined;
        if (form.has('prevValue') && prevValue === '') throw new V2Error(201, 'PrevValue is Required in POST form', store.index);
        const dir = bool('dir') ?? false;
        const value = form.get('value') ?? undefined;
        if (dir && value !== undefined && value !== '') throw new V2Error(209, 'value', store.index);
        const r = store.set(path, { value, dir, ttl: ttl(), prevExist, prevValue, prevIndex: int('prevIndex', 203), refresh: bool('refresh') });
        json(res, r.created ? 201 : 200, r.event, indexHeaders());
        return;
      }
      case 'POST': {
        const e = store.createInOrder(path, form.get('value') ?? '', ttl());
        json(res, 201, e, indexHeaders());
        return;
      }
      case 'DELETE': {
        const e = store.delete(path, {
          dir: bool('dir'),
          recursive: bool('recursive'),
          prevValue: form.get('prevValue') ?? undefined,
          prevIndex: int('prevIndex', 203),
        });
        json(res, 200, e, indexHeaders());
        return;
      }
      default:
        send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed', { Allow: 'GET, HEAD, PUT, POST, DELETE' });
    }
  };

  const memberJson = (m: Member) => ({ id: m.id.toString(16), name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls });

  return (req, res, url) => {
    const p = url.pathname;
    if (p === '/v2/keys' || p.startsWith('/v2/keys/')) {
      keys(req, res, url).catch((e: unknown) => fail(res, e));
      return;
    }
    if (p === '/v2/members' || p === '/v2/members/') {
      if (req.method !== 'GET') {
        json(res, 405, { message: 'Method Not Allowed' });
        return;
      }
      json(res, 200, { members: info.members().map(memberJson) });
      return;
    }
    if (p === '/v2/members/leader') {
      const self = info.self();
      const m = info.members().find((x) => x.id === self.id);
      if (m) json(res, 200, memberJson(m));
      else json(res, 503, { message: 'During election' });
      return;
    }
    if (p === '/v2/machines') {
      send(res, 200, 'text/plain; charset=utf-8', info.members().flatMap((m) => m.clientUrls).join(', '));
      return;
    }
    if (p === '/v2/stats/self') {
      const s = info.self();
      const id = s.id.toString(16);
      json(res, 200, {
        name: s.name,
        id,
        state: 'StateLeader',
        startTime,
        leaderInfo: { leader: id, uptime: `${process.uptime()}s`, startTime },
        recvAppendRequestCnt: 0,
        sendAppendRequestCnt: 0,
      });
      return;
    }
    if (p === '/v2/stats/leader') {
      json(res, 200, { leader: info.self().id.toString(16), followers: {} });
      return;
    }
    if (p === '/v2/stats/store') {
      json(res, 200, { getsSuccess: 0, getsFail: 0, setsSuccess: 0, setsFail: 0, watchers: 0 });
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n', { 'X-Content-Type-Options': 'nosniff' });
  };
}
