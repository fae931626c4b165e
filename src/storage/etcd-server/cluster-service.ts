// etcdserverpb.Cluster: the one member of this single-member cluster (see members.ts).
import type { ServiceImplementation } from './grpc/server.js';
import { big, headerToPb, i64 } from '../etcd-proto/index.js';
import type { ServerContext } from './context.js';
import type { Member } from './members.js';
import { unary } from './grpc-util.js';

function memberToPb(m: Member) {
  return { ID: i64(m.id), name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: m.isLearner };
}

export function clusterService(ctx: ServerContext): ServiceImplementation {
  const members = () => ctx.members.list().map(memberToPb);
  // etcd's cluster replies carry no revision (cluster_id, member_id, raft_term only).
  const header = async () => headerToPb({ ...(await ctx.header()), revision: 0 });
  return {
    MemberList: unary<object, unknown>(ctx, 'Cluster/MemberList', async () => ({ header: await header(), members: members() })),
    MemberAdd: unary<{ peerURLs?: string[]; isLearner?: boolean }, unknown>(ctx, 'Cluster/MemberAdd', async (pb, { auth }) => {
      ctx.auth.isAdminPermitted(auth);
      const m = ctx.members.add(pb.peerURLs ?? [], pb.isLearner ?? false);
      return { header: await header(), member: memberToPb(m), members: members() };
    }),
    MemberRemove: unary<{ ID?: string }, unknown>(ctx, 'Cluster/MemberRemove', async (pb, { auth }) => {
      ctx.auth.isAdminPermitted(auth);
      ctx.members.remove(big(pb.ID));
      return { header: await header(), members: members() };
    }),
    MemberUpdate: unary<{ ID?: string; peerURLs?: string[] }, unknown>(ctx, 'Cluster/MemberUpdate', async (pb, { auth }) => {
      ctx.auth.isAdminPermitted(auth);
      ctx.members.update(big(pb.ID), pb.peerURLs ?? []);
      return { header: await header(), members: members() };
    }),
    MemberPromote: unary<{ ID?: string }, unknown>(ctx, 'Cluster/MemberPromote', async (pb, { auth }) => {
      ctx.auth.isAdminPermitted(auth);
      ctx.members.promote(big(pb.ID));
      return { header: await header(), members: members() };
    }),
  };
}
