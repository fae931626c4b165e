// APIService (apiregistration.k8s.io/v1 apiservices, cluster-scoped, with /status), as
// kube-aggregator validates it: the name is spec.version + "." + spec.group, only v1 may have an
// empty group, the version is a DNS-1035 label, groupPriorityMinimum in 1..20000 and
// versionPriority in 1..1000; a Local APIService (no spec.service) may not carry a caBundle or
// insecureSkipTLSVerify; a service reference needs namespace, name and a valid port (default 443).
// Stored under /registry/apiregistration.k8s.io/apiservices as kube-aggregator does.
// keelson has no aggregation proxy: an APIService that points at a Service is stored and marked
// Available=False (see apiservice-status.ts and README); Local ones are Available=True.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required } from '../../../../api/field-errors.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, isValidPortNum } from '../../../../api/validation/names.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import { apiServiceStatus } from './status.js';

/** kubectl's AVAILABLE cell: True, or "False (Reason)" (kube-aggregator's printer). */
function available(svc: any): string {
  const c = (svc.status?.conditions ?? []).find((x: any) => x?.type === 'Available');
  if (!c) return 'Unknown';
  if (c.status === 'True' || !c.reason) return String(c.status ?? '');
  return `${c.status} (${c.reason})`;
}

export const strategy = defineStrategy({
  info: {
    group: 'apiregistration.k8s.io',
    version: 'v1',
    kind: 'APIService',
    listKind: 'APIServiceList',
    resource: 'apiservices',
    singular: 'apiservice',
    namespaced: false,
    storagePrefix: 'apiregistration.k8s.io/apiservices',
  },
  nameFn: isValidPathSegmentName,
  status: { initialStatus: (svc) => apiServiceStatus(svc, new Date()) },
  defaults(svc) {
    const s = svc.spec?.service;
    if (s) s.port ??= 443;
  },
  validate(svc) {
    const spec = svc.spec ?? {};
    const group: string = spec.group ?? '';
    const version: string = spec.version ?? '';
    const errs: FieldErrorList = [];
    const want = `${version}.${group}`;
    const name: string = svc.metadata?.name ?? '';
    if (name && isValidPathSegmentName(name, false).length === 0 && name !== want)
      errs.push(invalid('metadata.name', name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(want)}`));
    if (!group && version !== 'v1') errs.push(required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
    if (group) for (const m of isDNS1123Subdomain(group)) errs.push(invalid('spec.group', group, m));
    for (const m of isDNS1035Label(version)) errs.push(invalid('spec.version', version, m));
    const gpm = spec.groupPriorityMinimum ?? 0;
    if (gpm <= 0 || gpm > 20000) errs.push(invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
    const vp = spec.versionPriority ?? 0;
    if (vp <= 0 || vp > 1000) errs.push(invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
    const caLen = typeof spec.caBundle === 'string' ? Buffer.from(spec.caBundle, 'base64').length : 0;
    const svcRef = spec.service;
    if (svcRef == null) {
      if (caLen) errs.push(invalid('spec.caBundle', `${caLen} bytes`, 'local APIServices may not have a caBundle'));
      if (spec.insecureSkipTLSVerify) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
      return errs;
    }
    if (!svcRef.namespace) errs.push(required('spec.service.namespace', ''));
    if (!svcRef.name) errs.push(required('spec.service.name', ''));
    const portErrs = isValidPortNum(svcRef.port);
    if (portErrs.length) errs.push(invalid('spec.service.port', svcRef.port, 'port is not valid: ' + portErrs.join(', ')));
    if (spec.insecureSkipTLSVerify && caLen) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
    return errs;
  },
  table: table(
    [col('Service', 'string', 'The reference to the service that hosts this API endpoint.'), col('Available', 'string', 'Whether this service is available.'), ageColumn],
    (svc, now) => {
      const s = svc.spec?.service;
      return [s ? `${s.namespace ?? ''}/${s.name ?? ''}` : 'Local', available(svc), age(svc, now)];
    },
  ),
});
