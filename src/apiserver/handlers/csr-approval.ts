// PUT certificatesigningrequests/<name>/approval (kube's approval strategy, what
// `kubectl certificate approve|deny` calls): only the Approved and Denied conditions of the body
// are taken (spec, metadata and other conditions stay as stored), their timestamps filled in
// when missing; Approved and Denied together are Invalid. A resourceVersion in the body is a
// precondition (409 Conflict). Divergence: kube's CertificateApproval admission plugin also
// checks the `approve` verb on certificates.k8s.io/signers; keelson relies on RBAC for
// `update certificatesigningrequests/approval` only.
import type { Handler } from './context.js';
import { respondObject } from './context.js';
import { handleGet } from './read.js';
import { approvalPrepareForUpdate, validateApproval } from '../registry/certificates/certificatesigningrequests/strategy.js';
import { rfc3339 } from '../registry/generic/meta.js';
import { invalid, methodNotAllowed, notFound } from '../status.js';

export async function handleCsrApproval(h: Handler): Promise<void> {
  if (h.info.verb === 'get') return handleGet(h);
  if (h.info.verb !== 'update') throw methodNotAllowed();
  const body = await h.object();
  const s = h.served.store;
  const name = h.info.name;
  const now = rfc3339(new Date());
  const r = await s.guaranteedUpdate(
    h.ctx,
    name,
    (cur) => {
      if (!cur) throw notFound(s.gr, name);
      const next = structuredClone(body);
      approvalPrepareForUpdate(next, cur);
      for (const c of next.status?.conditions ?? []) {
        if (c.type !== 'Approved' && c.type !== 'Denied') continue;
        c.status ??= 'True';
        const before = (cur.status?.conditions ?? []).find((o: any) => o?.type === c.type);
        c.lastUpdateTime ??= before?.lastUpdateTime ?? now;
        c.lastTransitionTime ??= before && before.status === c.status ? before.lastTransitionTime ?? now : now;
      }
      const errs = validateApproval(next);
      if (errs.length) throw invalid(s.gr.group, 'CertificateSigningRequest', name, errs);
      cur.status = next.status;
      if (body.metadata?.resourceVersion) cur.metadata!.resourceVersion = body.metadata.resourceVersion;
      return cur;
    },
    { dryRun: h.ctx.dryRun, subresource: 'approval', pinnedResourceVersion: !!body.metadata?.resourceVersion },
  );
  respondObject(h, 200, r.obj);
}
