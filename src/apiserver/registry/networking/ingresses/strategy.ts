// Ingress (networking.k8s.io/v1 ingresses): rules/backends/TLS validation (hosts may be
// wildcards, paths need a pathType and Exact/Prefix paths are absolute, a backend is a service
// with a port name or number, or a resource); status {loadBalancer: {}} on create; status
// subresource; generation; NAME CLASS HOSTS ADDRESS PORTS AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported } from '../../../../api/field-errors.js';
import { isDNS1123Subdomain, isDNS1035Label, isValidPortNum, isDNS1123Label, isValidIP } from '../../../../api/validation/names.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateHost(host: string, path: string): FieldErrorList {
  if (isValidIP(host).length === 0) return [invalid(path, host, 'must be a DNS name, not an IP address')];
  const name = host.startsWith('*.') ? host.slice(2) : host;
  const msgs = host.startsWith('*.') ? isDNS1123Subdomain(name).map(() => "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')").slice(0, 1) : isDNS1123Subdomain(name);
  return msgs.map((m) => invalid(path, host, m));
}

function validateBackend(b: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!b) return errs;
  if (b.service && b.resource) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (b.service) {
    if (!b.service.name) errs.push(required(path + '.service.name', ''));
    else for (const m of isDNS1035Label(b.service.name)) errs.push(invalid(path + '.service.name', b.service.name, m));
    const port = b.service.port ?? {};
    const hasName = !!port.name;
    const hasNumber = port.number != null && port.number !== 0;
    if (hasName && hasNumber) errs.push(invalid(path + '.service.port', port, 'cannot set both port name & port number'));
    else if (hasName) for (const m of isDNS1123Label(port.name)) errs.push(invalid(path + '.service.port.name', port.name, m));
    else if (hasNumber) for (const m of isValidPortNum(port.number)) errs.push(invalid(path + '.service.port.number', port.number, m));
    else errs.push(required(path + '.service.port', 'port name or number is required'));
  } else if (b.resource) {
    if (!b.resource.kind) errs.push(required(path + '.resource.kind', ''));
    if (!b.resource.name) errs.push(required(path + '.resource.name', ''));
  } else {
    errs.push(invalid(path, '', 'resource or service backend is required'));
  }
  return errs;
}

export function validateIngressSpec(spec: any): FieldErrorList {
  const errs: FieldErrorList = [];
  const rules: any[] = spec.rules ?? [];
  if (!spec.defaultBackend && rules.length === 0) errs.push(invalid('spec.rules', rules, 'either `defaultBackend` or `rules` must be specified'));
  errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const p = `spec.rules[${i}]`;
    if (r?.host) errs.push(...validateHost(r.host, p + '.host'));
    (r?.http?.paths ?? []).forEach((hp: any, j: number) => {
      const pp = `${p}.http.paths[${j}]`;
      if (!hp?.pathType) errs.push(required(pp + '.pathType', 'pathType must be specified'));
      else if (!pathTypes.includes(hp.pathType)) errs.push(notSupported(pp + '.pathType', hp.pathType, pathTypes));
      else if (hp.pathType !== 'ImplementationSpecific' || hp.path) {
        if (!String(hp.path ?? '').startsWith('/')) errs.push(invalid(pp + '.path', hp.path ?? '', 'must be an absolute path'));
        else if (hp.pathType !== 'ImplementationSpecific' && /\/\/|\/\.\.?(\/|$)/.test(hp.path)) errs.push(invalid(pp + '.path', hp.path, "must not contain '//', '/./' or '/../'"));
      }
      errs.push(...validateBackend(hp?.backend, pp + '.backend'));
    });
    if (r?.http && !(r.http.paths ?? []).length) errs.push(required(p + '.http.paths', ''));
  });
  (spec.tls ?? []).forEach((t: any, i: number) => (t?.hosts ?? []).forEach((h: string, j: number) => errs.push(...validateHost(h, `spec.tls[${i}].hosts[${j}]`))));
  if (spec.ingressClassName) for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(invalid('spec.ingressClassName', spec.ingressClassName, m));
  return errs;
}

export function formatIngressHosts(rules: any[] | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const r of rules ?? []) {
    if (list.length === max) more = true;
    if (!more && r?.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${(rules ?? []).length - max} more...` : ret;
}

export function ingressAddress(ing: any): string {
  const set = new Set<string>();
  for (const i of ing.status?.loadBalancer?.ingress ?? []) {
    if (i?.ip) set.add(i.ip);
    else if (i?.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

export const strategy = defineStrategy({
  info: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    listKind: 'IngressList',
    resource: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    shortNames: ['ing'],
    storagePrefix: 'ingress',
  },
  status: { initialStatus: () => ({ loadBalancer: {} }) },
  generation: true,
  validate: (ing) => validateIngressSpec(ing.spec ?? {}),
  table: table(
    [
      col('Class', 'string', 'ingressClassName is the name of an IngressClass cluster resource.'),
      col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'string', 'Ports of TLS configurations that open'),
      ageColumn,
    ],
    (ing, now) => [ing.spec?.ingressClassName ?? '<none>', formatIngressHosts(ing.spec?.rules), ingressAddress(ing), (ing.spec?.tls ?? []).length ? '80, 443' : '80', age(ing, now)],
  ),
});
