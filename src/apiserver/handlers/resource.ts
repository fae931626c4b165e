// Dispatch of an API resource request to its verb's handler (and subresources).
import type { Handler } from './context.js';
import { handleGet, handleList } from './read.js';
import { handleWatch } from './watch.js';
import { handleCreate, handleUpdate } from './write.js';
import { handlePatch } from './patch.js';
import { handleDelete, handleDeleteCollection } from './delete.js';
import { handleScale } from './scale.js';
import { bindPod, handlePodSubresource } from './pods.js';
import { handleProxy } from './proxy.js';
import { handleNamespaceDelete, handleNamespaceFinalize } from './namespaces.js';
import { handleVirtualCreate, isVirtual } from './virtual.js';
import { handleServiceAccountToken } from '../registry/core/serviceaccounts/token.js';
import { handleCsrApproval } from './csr-approval.js';
import { isComputed } from '../registry/computed.js';
import { ApiError, methodNotAllowed, notFound, pathNotFound } from '../status.js';

const defaultVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export async function dispatch(h: Handler): Promise<void> {
  const { info } = h;
  const st = h.served.strategy;
  const core = st.info.group === '';
  const sub = info.subresource;
  if (st.info.namespaced && !info.namespace && info.name) throw pathNotFound();
  if (!st.info.namespaced && info.namespace && st.info.resource !== 'namespaces') throw pathNotFound();
  // Computed on each read, not stored: metrics.k8s.io, componentstatuses (registry/computed.ts).
  if (isComputed(st)) {
    if (sub) throw pathNotFound();
    return st.computedRead(h);
  }
  if (sub) {
    if (!info.name) throw pathNotFound();
    if (sub === 'status') {
      if (!st.status) throw notFound(h.served.store.gr, info.name);
      if (info.verb === 'get') return handleGet(h);
      if (info.verb === 'update') return handleUpdate(h);
      if (info.verb === 'patch') return handlePatch(h);
      throw methodNotAllowed();
    }
    if (sub === 'scale') return handleScale(h);
    if (core && ['pods', 'services', 'nodes'].includes(st.info.resource) && sub.split('/')[0] === 'proxy') return handleProxy(h);
    if (core && st.info.resource === 'pods') return handlePodSubresource(h);
    if (core && st.info.resource === 'serviceaccounts' && sub === 'token') return handleServiceAccountToken(h);
    if (core && st.info.resource === 'namespaces' && sub === 'finalize') {
      if (info.verb !== 'update') throw methodNotAllowed();
      return handleNamespaceFinalize(h);
    }
    if (st.info.group === 'certificates.k8s.io' && st.info.resource === 'certificatesigningrequests' && sub === 'approval') return handleCsrApproval(h);
    throw pathNotFound();
  }
  if ((info.verb === 'update' || info.verb === 'patch') && !info.name) throw methodNotAllowed();
  const verbs = st.info.verbs ?? defaultVerbs;
  if (!verbs.includes(info.verb) && !(info.verb === 'watch' && verbs.includes('watch'))) throw methodNotAllowed();
  // core/v1 bindings: POST a Binding named like the pod.
  if (core && st.info.resource === 'bindings' && info.verb === 'create') {
    const b = await h.object();
    return bindPod(h, b.metadata?.name ?? '', b);
  }
  switch (info.verb) {
    case 'get':
      return handleGet(h);
    case 'list':
      return handleList(h);
    case 'watch':
      return handleWatch(h);
    case 'create':
      if (info.name) throw methodNotAllowed();
      if (isVirtual(st)) return handleVirtualCreate(h);
      return handleCreate(h);
    case 'update':
      return handleUpdate(h);
    case 'patch':
      return handlePatch(h);
    case 'delete':
      if (core && st.info.resource === 'namespaces') return handleNamespaceDelete(h);
      return handleDelete(h);
    case 'deletecollection':
      return handleDeleteCollection(h);
  }
  throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}
