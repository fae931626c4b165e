// serviceaccounts/token (TokenRequest, authentication.k8s.io/v1; `kubectl create token`): signs
// a bound service-account JWT. spec.audiences defaults to the API audiences, expirationSeconds
// to 3600 (at least 600, at most 2^32, silently capped by
// --service-account-max-token-expiration); spec.boundObjectRef binds the token to a Pod (which
// must run as this service account; its node is named too), a Secret or a Node of the
// namespace, whose uid must match when given. Nothing is stored. Answers 201 with status.token
// and status.expirationTimestamp. Not served (404) when the apiserver has no signing key.
// Differs from kube: no "extended expiration" for tokens of projected volumes.
import type { Handler } from '../../../handlers/context.js';
import { respondObject } from '../../../handlers/context.js';
import { runAdmission } from '../../../filters/pipeline.js';
import { ApiError, badRequest, conflict, invalid, methodNotAllowed, notFound, pathNotFound } from '../../../status.js';
import { rfc3339 } from '../../generic/meta.js';
import { type FieldErrorList, invalid as fieldInvalid } from '../../../../api/field-errors.js';
import type { KObject } from '../../strategy.js';
import { apiServerTokens } from '../../../../auth/tokens/registry.js';
import { boundClaims, type ObjectRef } from '../../../../auth/tokens/claims.js';
import { signJwt } from '../../../../auth/tokens/jwt.js';

const GROUP = 'authentication.k8s.io';
const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;
export const DEFAULT_EXPIRATION_SECONDS = 3600;

export function validateTokenRequest(tr: KObject): FieldErrorList {
  const errs: FieldErrorList = [];
  const e = tr.spec?.expirationSeconds;
  if (typeof e !== 'number' || !Number.isInteger(e)) errs.push(fieldInvalid('spec.expirationSeconds', e, 'must be an integer'));
  else if (e < MIN_SECONDS) errs.push(fieldInvalid('spec.expirationSeconds', e, 'may not specify a duration less than 10 minutes'));
  else if (e > MAX_SECONDS) errs.push(fieldInvalid('spec.expirationSeconds', e, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

async function getIn(h: Handler, resource: string, ns: string, name: string): Promise<KObject> {
  const s = h.state.resources.storeFor('', resource);
  if (!s) throw notFound({ group: '', resource }, name);
  return s.get(ns, name);
}

export async function handleServiceAccountToken(h: Handler): Promise<void> {
  const tokens = apiServerTokens(h.state.resources);
  const key = tokens?.signingKey();
  if (!tokens || !key) throw pathNotFound();
  if (h.info.verb !== 'create') throw methodNotAllowed();
  const ns = h.info.namespace;
  const name = h.info.name;
  const req = await h.object();
  if (req.kind && req.kind !== 'TokenRequest') throw badRequest(`the kind in the data (${req.kind}) does not match the expected kind (TokenRequest)`);
  req.spec ??= {};
  req.spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
  const meta = req.metadata ?? {};
  if (meta.name && meta.name !== name) throw invalid(GROUP, 'TokenRequest', name, [fieldInvalid('metadata.name', meta.name, 'must match the service account name if specified')]);
  if (meta.namespace && meta.namespace !== ns) throw invalid(GROUP, 'TokenRequest', name, [fieldInvalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')]);
  const errs = validateTokenRequest(req);
  if (errs.length) throw invalid(GROUP, 'TokenRequest', name, errs);
  await runAdmission(h.state.pipeline, { operation: 'CREATE', info: h.info, object: req, ctx: h.ctx });

  const sa = await getIn(h, 'serviceaccounts', ns, name);
  const saRef: ObjectRef = { name, uid: sa.metadata?.uid ?? '' };
  let pod: ObjectRef | undefined;
  let secret: ObjectRef | undefined;
  let node: ObjectRef | undefined;
  const ref = req.spec.boundObjectRef;
  if (ref) {
    const apiVersion = ref.apiVersion ?? '';
    const kind = ref.kind ?? '';
    const refName = ref.name ?? '';
    let uid: string | undefined;
    if (apiVersion === 'v1' && kind === 'Pod') {
      const p = await getIn(h, 'pods', ns, refName);
      if ((p.spec?.serviceAccountName || 'default') !== name) throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
      uid = p.metadata?.uid;
      pod = { name: refName, uid: uid ?? '' };
      const nodeName = p.spec?.nodeName;
      if (nodeName) {
        const n = await getIn(h, 'nodes', '', nodeName).catch((e) => {
          if (e instanceof ApiError && e.code === 404) return undefined;
          throw e;
        });
        if (n) node = { name: nodeName, uid: n.metadata?.uid ?? '' };
      }
    } else if (apiVersion === 'v1' && kind === 'Secret') {
      const s = await getIn(h, 'secrets', ns, refName);
      uid = s.metadata?.uid;
      secret = { name: refName, uid: uid ?? '' };
    } else if (apiVersion === 'v1' && kind === 'Node') {
      const n = await getIn(h, 'nodes', '', refName);
      uid = n.metadata?.uid;
      node = { name: refName, uid: uid ?? '' };
    } else {
      const gvk = apiVersion.includes('/') ? `${apiVersion}, Kind=${kind}` : `/${apiVersion}, Kind=${kind}`;
      throw badRequest(`cannot bind token to object of type ${gvk}`);
    }
    if (ref.uid && ref.uid !== uid) {
      throw conflict({ group: '', resource: kind }, refName, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
  }

  const audiences: string[] = req.spec.audiences?.length ? req.spec.audiences : tokens.apiAudiences;
  let seconds: number = req.spec.expirationSeconds;
  if (tokens.maxExpirationSeconds > 0 && seconds > tokens.maxExpirationSeconds) seconds = tokens.maxExpirationSeconds;
  const now = h.ctx.now();
  const claims = boundClaims({ issuer: tokens.issuer, audiences, namespace: ns, serviceAccount: saRef, pod, secret, node, now, expirationSeconds: seconds });
  const token = await signJwt(claims, key);
  const out: KObject = {
    kind: 'TokenRequest',
    apiVersion: `${GROUP}/v1`,
    metadata: { name, namespace: ns, creationTimestamp: null },
    spec: { ...req.spec, audiences, expirationSeconds: seconds },
    status: { token, expirationTimestamp: rfc3339(new Date(claims.exp * 1000)) },
  };
  respondObject(h, 201, out);
}
