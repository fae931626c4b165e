// Which admission webhooks a request goes to (kube's webhook rules, namespaceSelector and
// objectSelector) and the AdmissionReview v1 request it is sent. Webhooks never see the
// admission configuration kinds themselves (kube's exemption), so a broken webhook cannot lock
// its own configuration.
// Divergence: matchPolicy Equivalent matches only the resource as requested (keelson serves
// one version of most kinds, so there is rarely another form to convert to).
import { randomUUID } from 'node:crypto';
import type { AdmissionAttributes } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { matchesLabelSelector, type LabelSelectorObject } from '../../api/selectors/selector-objects.js';
import { getObject } from './lookup.js';

const exempt = new Set(['admissionregistration.k8s.io/validatingwebhookconfigurations', 'admissionregistration.k8s.io/mutatingwebhookconfigurations', 'admissionregistration.k8s.io/validatingadmissionpolicies', 'admissionregistration.k8s.io/validatingadmissionpolicybindings', 'admissionregistration.k8s.io/mutatingadmissionpolicies', 'admissionregistration.k8s.io/mutatingadmissionpolicybindings']);

export function isExempt(a: AdmissionAttributes): boolean {
  return exempt.has(`${a.info.group}/${a.info.resource}`);
}

const split = (r: string): [string, string] => {
  const i = r.indexOf('/');
  return i < 0 ? [r, ''] : [r.slice(0, i), r.slice(i + 1)];
};

/** One RuleWithOperations against the request. */
export function ruleMatches(rule: KObject, a: AdmissionAttributes): boolean {
  const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);
  if (!has(rule.operations, a.operation)) return false;
  if (!has(rule.apiGroups, a.info.group)) return false;
  if (!has(rule.apiVersions, a.info.version)) return false;
  const resOk = (rule.resources ?? []).some((r: string) => {
    const [res, sub] = split(r);
    return (res === '*' || res === a.info.resource) && (sub === '*' || sub === a.info.subresource);
  });
  if (!resOk) return false;
  const scope = rule.scope ?? '*';
  const clusterScoped = !a.info.namespace || (a.info.group === '' && a.info.resource === 'namespaces');
  if (scope === 'Cluster') return clusterScoped;
  if (scope === 'Namespaced') return !clusterScoped;
  return true;
}

const selects = (sel: LabelSelectorObject | undefined | null, labels: Record<string, string> | undefined) => (sel == null ? true : matchesLabelSelector(sel, labels));

/** Rules, namespaceSelector and objectSelector of one webhook against the request. */
export async function webhookMatches(resources: Resources, hook: KObject, a: AdmissionAttributes): Promise<boolean> {
  if (!(hook.rules ?? []).some((r: KObject) => ruleMatches(r, a))) return false;
  const objSel = hook.objectSelector;
  if (objSel && (objSel.matchLabels || objSel.matchExpressions?.length)) {
    const candidates = [a.object, a.oldObject].filter((o): o is KObject => !!o);
    if (!candidates.some((o) => selects(objSel, o.metadata?.labels))) return false;
  }
  const nsSel = hook.namespaceSelector;
  if (nsSel && (nsSel.matchLabels || nsSel.matchExpressions?.length)) {
    const isNamespace = a.info.group === '' && a.info.resource === 'namespaces';
    if (!a.info.namespace && !isNamespace) return true; // cluster-scoped: the selector does not apply
    const labels = isNamespace ? (a.object ?? a.oldObject)?.metadata?.labels : (await getObject(resources, ['', 'v1', 'namespaces'], '', a.info.namespace))?.metadata?.labels;
    if (!selects(nsSel, labels)) return false;
  }
  return true;
}

const optionsKind: Record<string, string> = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: '' };

/** The AdmissionReview v1 sent to a webhook. */
export function admissionReview(resources: Resources, a: AdmissionAttributes): { apiVersion: string; kind: string; request: Record<string, any> } {
  const served = resources.lookup(a.info.group, a.info.version, a.info.resource);
  const kindName = a.info.subresource ? (a.object?.kind ?? served?.strategy.info.kind) : served?.strategy.info.kind;
  const kind = { group: a.info.group, version: a.info.version, kind: kindName ?? '' };
  const resource = { group: a.info.group, version: a.info.version, resource: a.info.resource };
  const user = a.ctx.user as { name: string; groups: string[]; uid?: string; extra?: Record<string, string[]> };
  const request: Record<string, any> = {
    uid: randomUUID(),
    kind,
    resource,
    requestKind: kind,
    requestResource: resource,
    name: a.object?.metadata?.name || a.info.name || undefined,
    namespace: a.info.namespace || undefined,
    operation: a.operation,
    userInfo: { username: user.name, uid: user.uid, groups: user.groups, extra: user.extra },
    object: a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: !!a.ctx.dryRun,
  };
  if (a.info.subresource) {
    request.subResource = a.info.subresource;
    request.requestSubResource = a.info.subresource;
  }
  if (optionsKind[a.operation]) request.options = { apiVersion: 'meta.k8s.io/v1', kind: optionsKind[a.operation] };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}
