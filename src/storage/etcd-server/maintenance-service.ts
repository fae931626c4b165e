// etcdserverpb.Maintenance: Status (version 3.4.23), Defragment, Snapshot, Hash, HashKV, Alarm,
// MoveLeader. Snapshot: the store's etcd-format snapshot (bbolt file + sha256 trailer, carrying
// this server's members and auth tables too) in 32 KiB chunks; etcdctl snapshot save writes the
// stream as is.
import type { ServiceImplementation } from './grpc/server.js';
import { etcdServerVersion } from '../../version.js';
import {
  AlarmActionEnum,
  AlarmTypeEnum,
  alarmMemberToPb,
  big,
  hashKVResponseToPb,
  headerToPb,
  num,
  statusResponseToPb,
} from '../etcd-proto/index.js';
import type { PbAlarmRequest, PbHashKVRequest } from '../etcd-proto/index.js';
import { StoreError, storeError } from '../errors.js';
import type { ServerContext } from './context.js';
import { authInfoOf, toStatus, unary } from './grpc-util.js';
import type { StreamCall } from './grpc/call.js';
import { serverSnapshotTables } from './snapshot-state.js';

export const SNAPSHOT_CHUNK = 32 * 1024;

export function maintenanceService(ctx: ServerContext): ServiceImplementation {
  const { store } = ctx;
  return {
    Status: unary<object, unknown>(ctx, 'Maintenance/Status', async () => {
      const s = await store.status();
      return statusResponseToPb({ ...s, version: etcdServerVersion, leader: ctx.memberId, isLearner: false });
    }),
    Defragment: unary<object, unknown>(ctx, 'Maintenance/Defragment', async (_pb, { auth }) => {
      ctx.auth.isAdminPermitted(auth);
      await store.defragment();
      return {};
    }),
    Hash: unary<object, unknown>(ctx, 'Maintenance/Hash', async (_pb, { auth }) => {
      ctx.auth.isAdminPermitted(auth);
      const h = await store.hashKV(0);
      return { header: headerToPb(h.header), hash: h.hash >>> 0 };
    }),
    HashKV: unary<PbHashKVRequest, unknown>(ctx, 'Maintenance/HashKV', async (pb, { auth }) => {
      ctx.auth.isAdminPermitted(auth);
      return hashKVResponseToPb(await store.hashKV(num(pb.revision)));
    }),
    // etcd 3.4's applier answers Alarm without a header (the gateway prints {} for a GET).
    Alarm: unary<PbAlarmRequest, unknown>(ctx, 'Maintenance/Alarm', async (pb) => {
      const action = AlarmActionEnum.fromPb(pb.action);
      const type = AlarmTypeEnum.fromPb(pb.alarm);
      const all = await store.alarms();
      if (action === 'DEACTIVATE') {
        if (!all.some((a) => a.alarm === type)) return { alarms: [] };
        await store.alarmDisarm(type);
        return { alarms: all.filter((a) => a.alarm === type).map(alarmMemberToPb) };
      }
      // GET (ACTIVATE is raised by the store itself, e.g. NOSPACE; a client cannot raise one here).
      return { alarms: (type === 'NONE' ? all : all.filter((a) => a.alarm === type)).map(alarmMemberToPb) };
    }),
    MoveLeader: unary<{ targetID?: string }, unknown>(ctx, 'Maintenance/MoveLeader', async (pb, { auth }) => {
      ctx.auth.isAdminPermitted(auth);
      const target = big(pb.targetID);
      if (target === ctx.memberId) return { header: headerToPb(await ctx.header()) };
      if (!ctx.members.list().some((m) => m.id === target)) throw new StoreError('FAILED_PRECONDITION', 'etcdserver: bad leader transferee');
      // Added members never start here, so leadership cannot move to them.
      throw storeError('NotCapable');
    }),
    Snapshot: (call: StreamCall) => {
      let cancelled = false;
      call.on('cancelled', () => (cancelled = true));
      (async () => {
        ctx.auth.isAdminPermitted(authInfoOf(ctx, call));
        // The store's snapshot already ends with its sha256 trailer (the framing etcd uses);
        // re-chunk it to 32 KiB messages, holding one back to mark the last with remaining_bytes 0.
        let pending = Buffer.alloc(0);
        let held: Buffer | undefined;
        const emit = async (blob: Buffer, last: boolean) => {
          if (!call.write({ remaining_bytes: last ? '0' : String(SNAPSHOT_CHUNK), blob }) && !call.cancelled) {
            // HTTP/2 flow control: wait until the client read some, or went away.
            await new Promise<void>((resolve) => {
              const done = () => {
                call.off('drain', done);
                call.off('cancelled', done);
                resolve();
              };
              call.once('drain', done);
              call.once('cancelled', done);
            });
          }
        };
        for await (const chunk of store.snapshot(serverSnapshotTables(ctx))) {
          if (cancelled) return;
          pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
          while (pending.length >= SNAPSHOT_CHUNK) {
            if (held) await emit(held, false);
            if (cancelled) return;
            held = pending.subarray(0, SNAPSHOT_CHUNK);
            pending = pending.subarray(SNAPSHOT_CHUNK);
          }
        }
        if (pending.length) {
          if (held) await emit(held, false);
          held = pending;
        }
        if (held && !cancelled) await emit(held, true);
        call.end();
      })().catch((e: unknown) => {
        if (!cancelled) call.fail(toStatus(e));
      });
    },
  };
}
