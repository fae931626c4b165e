// ValidatingAdmissionPolicy admission (kube's plugin of that name): every
// ValidatingAdmissionPolicyBinding whose policy matches the request (matchConstraints, then the
// binding's matchResources; rules, excluded rules, resourceNames, namespace and object
// selectors, matchConditions) evaluates the policy's CEL validations with `object`,
// `oldObject`, `request`, `params` (the binding's paramRef of the policy's paramKind),
// `namespaceObject` and `variables`. A failed validation is, per the binding's
// validationActions, refused (Deny: `ValidatingAdmissionPolicy 'p' with binding 'b' denied
// request: <message>`, with the validation's reason, Invalid by default) or a warning (Warn);
// an expression that errors follows the policy's failurePolicy.
// Divergences: no `authorizer` variable, Audit records nothing (no audit annotations yet),
// paramRef selectors are not supported (name only). CEL is the shared Kubernetes environment
// (src/apiserver/cel: @marcbachmann/cel-js with kube's libraries and a per-call cost limit).
import { admissionEnvironment } from '../cel/environment.js';
import { cachedProgram, celErrorMessage } from '../cel/program.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { matchesLabelSelector, type LabelSelectorObject } from '../../api/selectors/selector-objects.js';
import { ApiError } from '../status.js';
import { getObject, listObjects, oldObjectOf } from './lookup.js';
import { admissionReview, isExempt, ruleMatches } from './webhook-match.js';

const group = 'admissionregistration.k8s.io';
const codes: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

const selects = (sel: LabelSelectorObject | undefined, labels: Record<string, string> | undefined) => !sel || (!sel.matchLabels && !sel.matchExpressions?.length) || matchesLabelSelector(sel, labels);

/** A MatchResources (policy matchConstraints or binding matchResources) against the request. */
async function matchResources(resources: Resources, m: KObject | undefined, a: AdmissionAttributes, requireRules: boolean): Promise<boolean> {
  if (!m) return !requireRules;
  const name = a.object?.metadata?.name || a.info.name;
  const named = (r: KObject) => ruleMatches(r, a) && (!(r.resourceNames ?? []).length || r.resourceNames.includes(name));
  const rules: KObject[] = m.resourceRules ?? [];
  if ((rules.length || requireRules) && !rules.some(named)) return false;
  if ((m.excludeResourceRules ?? []).some(named)) return false;
  const objects = [a.object, a.oldObject].filter((o): o is KObject => !!o);
  if (!objects.some((o) => selects(m.objectSelector, o.metadata?.labels))) return false;
  const isNamespace = a.info.group === '' && a.info.resource === 'namespaces';
  if (a.info.namespace || isNamespace) {
    const labels = isNamespace ? (a.object ?? a.oldObject)?.metadata?.labels : (await getObject(resources, ['', 'v1', 'namespaces'], '', a.info.namespace))?.metadata?.labels;
    if (!selects(m.namespaceSelector, labels)) return false;
  }
  return true;
}

/** The binding's parameter object; null when the policy takes none; undefined when it is missing. */
async function paramsFor(resources: Resources, policy: KObject, binding: KObject, a: AdmissionAttributes): Promise<KObject | null | undefined> {
  const kind = policy.spec?.paramKind;
  const ref = binding.spec?.paramRef;
  if (!kind || !ref?.name) return null;
  const [g, v] = String(kind.apiVersion).includes('/') ? String(kind.apiVersion).split('/') : ['', kind.apiVersion];
  const served = resources.all().find((s) => s.strategy.info.group === g && s.strategy.info.version === v && s.strategy.info.kind === kind.kind);
  if (!served) return undefined;
  const ns = served.strategy.info.namespaced ? (ref.namespace ?? a.info.namespace) : '';
  return getObject(resources, [g, v, served.strategy.info.resource], ns, ref.name);
}

function cel(expr: string, vars: Record<string, unknown>): unknown {
  try {
    return cachedProgram(admissionEnvironment(), expr).evaluate(vars);
  } catch (e) {
    throw new Error(celErrorMessage(e), { cause: e });
  }
}

export function validatingAdmissionPolicy(resources: Resources): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(a) {
      if (isExempt(a)) return;
      const bindings = await listObjects(resources, [group, 'v1', 'validatingadmissionpolicybindings'], '');
      if (!bindings.length) return;
      if (a.operation === 'DELETE' || a.operation === 'UPDATE') await oldObjectOf(resources, a);
      const sorted = [...bindings].sort((x, y) => String(x.metadata?.name).localeCompare(String(y.metadata?.name)));
      for (const binding of sorted) {
        const policy = await getObject(resources, [group, 'v1', 'validatingadmissionpolicies'], '', binding.spec?.policyName);
        if (!policy) continue;
        if (!(await matchResources(resources, policy.spec?.matchConstraints, a, true))) continue;
        if (!(await matchResources(resources, binding.spec?.matchResources, a, false))) continue;
        const where = `ValidatingAdmissionPolicy '${policy.metadata?.name}' with binding '${binding.metadata?.name}'`;
        const failClosed = (policy.spec?.failurePolicy ?? 'Fail') === 'Fail';
        const params = await paramsFor(resources, policy, binding, a);
        if (params === undefined) {
          if (binding.spec?.paramRef?.parameterNotFoundAction === 'Allow') continue;
          throw new ApiError(403, 'Forbidden', `${where} denied request: failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`);
        }
        const review = admissionReview(resources, a).request;
        const nsObj = a.info.namespace ? ((await getObject(resources, ['', 'v1', 'namespaces'], '', a.info.namespace)) ?? null) : null;
        const vars: Record<string, unknown> = { object: a.object ?? null, oldObject: a.oldObject ?? null, request: review, params, namespaceObject: nsObj, variables: {} };
        const lazy: Record<string, unknown> = {};
        try {
          for (const v of policy.spec?.variables ?? []) lazy[v.name] = cel(v.expression, { ...vars, variables: lazy });
          vars.variables = lazy;
          if (!(policy.spec?.matchConditions ?? []).every((m: KObject) => cel(m.expression, vars) === true)) continue;
        } catch (e) {
          if (failClosed) throw new ApiError(403, 'Forbidden', `${where} denied request: expression resulted in error: ${(e as Error).message}`);
          continue;
        }
        const actions: string[] = binding.spec?.validationActions ?? [];
        for (const v of policy.spec?.validations ?? []) {
          let ok: unknown;
          let failure = '';
          try {
            ok = cel(v.expression, vars);
          } catch (e) {
            if (!failClosed) continue;
            failure = `expression '${v.expression}' resulted in error: ${(e as Error).message}`;
          }
          if (ok === true) continue;
          let message: string = failure || v.message || '';
          if (!message && v.messageExpression) {
            try {
              const m = cel(v.messageExpression, vars);
              if (typeof m === 'string' && m.trim() && !m.includes('\n')) message = m;
            } catch {
              /* kube falls back to the static message */
            }
          }
          message ||= `failed expression: ${v.expression}`;
          if (actions.includes('Warn')) a.ctx.warnings.push(`Validation failed for ${where}: ${message}`);
          if (actions.includes('Deny')) {
            const reason = v.reason ?? 'Invalid';
            throw new ApiError(codes[reason] ?? 422, reason, `${where} denied request: ${message}`);
          }
        }
      }
    },
  };
}
