// List continuation tokens, as kube-apiserver's etcd3 storage encodes them: base64url of
// {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key suffix after the resource prefix>"}.
import { badRequest } from '../../status.js';

export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  let v: { v?: string; rv?: number; start?: string };
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data');
  }
  if (v.v !== 'meta.k8s.io/v1') throw badRequest('continue key is not valid: server does not recognize this encoded key');
  if (typeof v.rv !== 'number' || v.rv <= 0) throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof v.start !== 'string' || v.start.startsWith('/') || v.start.includes('..')) throw badRequest('continue key is not valid: path traversal in start key');
  return { rv: v.rv, start: v.start };
}

export const continueTooOld =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';
