// etcdserverpb.Lease: grant, revoke, keep-alive stream, time-to-live, list.
import type { ServiceImplementation } from './grpc/server.js';
import {
  big,
  headerOnlyResponseToPb,
  leaseGrantResponseToPb,
  leaseKeepAliveResponseToPb,
  leaseLeasesResponseToPb,
  leaseTimeToLiveResponseToPb,
  num,
} from '../etcd-proto/index.js';
import type { PbLeaseGrantRequest, PbLeaseKeepAliveRequest, PbLeaseRevokeRequest, PbLeaseTimeToLiveRequest } from '../etcd-proto/index.js';
import type { ServerContext } from './context.js';
import { authInfoOf, toStatus, unary } from './grpc-util.js';
import type { StreamCall } from './grpc/call.js';
import { checkLeasePuts } from './kv-service.js';

export function leaseService(ctx: ServerContext): ServiceImplementation {
  const { store } = ctx;
  return {
    LeaseGrant: unary<PbLeaseGrantRequest, unknown>(ctx, 'Lease/LeaseGrant', async (pb) =>
      leaseGrantResponseToPb(await store.leaseGrant(num(pb.TTL), big(pb.ID))),
    ),
    LeaseRevoke: unary<PbLeaseRevokeRequest, unknown>(ctx, 'Lease/LeaseRevoke', async (pb, { auth }) => {
      const id = big(pb.ID);
      await checkLeasePuts(ctx, auth, id);
      return headerOnlyResponseToPb(await store.leaseRevoke(id));
    }),
    LeaseTimeToLive: unary<PbLeaseTimeToLiveRequest, unknown>(ctx, 'Lease/LeaseTimeToLive', async (pb) =>
      leaseTimeToLiveResponseToPb(await store.leaseTimeToLive(big(pb.ID), pb.keys ?? false)),
    ),
    LeaseLeases: unary<object, unknown>(ctx, 'Lease/LeaseLeases', async () => leaseLeasesResponseToPb(await store.leaseLeases())),
    LeaseKeepAlive: (call: StreamCall) => {
      let closed = false;
      let chain: Promise<void> = Promise.resolve();
      const fail = (e: unknown) => {
        if (closed) return;
        closed = true;
        call.fail(toStatus(e));
      };
      try {
        authInfoOf(ctx, call);
      } catch (e) {
        fail(e);
        return;
      }
      call.on('data', (pb: PbLeaseKeepAliveRequest) => {
        if (closed) return;
        const id = big(pb.ID);
        chain = chain.then(async () => {
          if (closed) return;
          try {
            const r = await store.leaseKeepAlive(id);
            if (!closed) call.write(leaseKeepAliveResponseToPb(r));
          } catch (e) {
            fail(e);
          }
        });
      });
      call.on('end', () => {
        void chain.then(() => {
          if (closed) return;
          closed = true;
          call.end();
        });
      });
      call.on('cancelled', () => (closed = true));
    },
  };
}
