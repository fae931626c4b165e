// Service (core/v1 services): SetDefaults_Service (type ClusterIP, sessionAffinity None, port
// protocol TCP, targetPort = port, traffic policies, allocateLoadBalancerNodePorts, IP family
// defaults), ValidateService(Update) with Kubernetes' paths, status subresource and the table.
// ClusterIP/NodePort allocation is registry/core/services/allocation.ts (not this file).
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, forbidden, duplicate } from '../../../../api/field-errors.js';
import { nameIsDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortNum, isIPv6 } from '../../../../api/validation/names.js';
import { validateLabels, formatMapSelector } from '../../../../api/validation/labels.js';
import { validatePortNumOrName } from '../pods/validation.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';

const externallyAccessible = (spec: any): boolean => spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);
const isHeadless = (spec: any): boolean => spec.clusterIP === 'None';

export function defaultService(svc: any): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  spec.type ||= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ||= 'TCP';
    if (p.targetPort == null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy == null && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.type !== 'ExternalName') {
    if (spec.clusterIP && !(spec.clusterIPs ?? []).length) spec.clusterIPs = [spec.clusterIP];
    spec.ipFamilyPolicy ??= 'SingleStack';
    if (spec.ipFamilies == null && spec.clusterIP && spec.clusterIP !== 'None') spec.ipFamilies = [isIPv6(spec.clusterIP) ? 'IPv6' : 'IPv4'];
  }
}

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const protocols = ['SCTP', 'TCP', 'UDP'];

export function validateServiceSpec(svc: any): FieldErrorList {
  const spec = svc.spec ?? {};
  const errs: FieldErrorList = [];
  const ports: any[] = spec.ports ?? [];
  if (!spec.type) errs.push(required('spec.type', ''));
  else if (!serviceTypes.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, serviceTypes));
  if (spec.type === 'ExternalName') {
    if (spec.clusterIP || (spec.clusterIPs ?? []).length) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (!spec.externalName) errs.push(required('spec.externalName', ''));
    else {
      const name = String(spec.externalName).replace(/\.$/, '');
      for (const m of isDNS1123Subdomain(name)) errs.push(invalid('spec.externalName', spec.externalName, m));
    }
    if (spec.ipFamilyPolicy != null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
  } else {
    if (ports.length === 0 && !isHeadless(spec)) errs.push(required('spec.ports', ''));
    (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).forEach((ip: string, i: number) => {
      if (ip === 'None' && i === 0) return;
      if (isValidIP(ip).length) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, "must be empty, 'None', or a valid IP address"));
    });
    if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP)
      errs.push(invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
  }
  const names = new Set<string>();
  const seenPorts = new Set<string>();
  const requireName = ports.length > 1;
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    if (requireName && !p?.name) errs.push(required(pp + '.name', ''));
    else if (p?.name) {
      for (const m of isDNS1123Label(p.name)) errs.push(invalid(pp + '.name', p.name, m));
      if (names.has(p.name)) errs.push(duplicate(pp + '.name', p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p?.port)) errs.push(invalid(pp + '.port', p?.port ?? 0, m));
    if (!p?.protocol) errs.push(required(pp + '.protocol', ''));
    else if (!protocols.includes(p.protocol)) errs.push(notSupported(pp + '.protocol', p.protocol, protocols));
    errs.push(...validatePortNumOrName(p?.targetPort, pp + '.targetPort'));
    if (p?.nodePort) {
      if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') errs.push(forbidden(pp + '.nodePort', `may not be used when \`type\` is '${spec.type}'`));
      else for (const m of isValidPortNum(p.nodePort)) errs.push(invalid(pp + '.nodePort', p.nodePort, m));
    }
    const key = `${p?.port}/${p?.protocol}`;
    if (seenPorts.has(key)) errs.push(duplicate(pp, { port: p?.port, protocol: p?.protocol }));
    seenPorts.add(key);
  });
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const sa = spec.sessionAffinity;
  if (!sa) errs.push(required('spec.sessionAffinity', ''));
  else if (!['ClientIP', 'None'].includes(sa)) errs.push(notSupported('spec.sessionAffinity', sa, ['ClientIP', 'None']));
  if (sa === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (t == null || t <= 0 || t > 86400) errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t ?? 0, 'must be greater than 0 and less than 86400'));
  } else if (spec.sessionAffinityConfig != null) {
    errs.push(invalid('spec.sessionAffinityConfig', spec.sessionAffinityConfig, `must not be set when session affinity is ${sa}`));
  }
  (spec.externalIPs ?? []).forEach((ip: string, i: number) => {
    for (const m of isValidIP(ip)) errs.push(invalid(`spec.externalIPs[${i}]`, ip, m));
  });
  const etp = spec.externalTrafficPolicy;
  if (etp) {
    if (!externallyAccessible(spec)) errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
    else if (!['Cluster', 'Local'].includes(etp)) errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  } else if (externallyAccessible(spec)) errs.push(required('spec.externalTrafficPolicy', ''));
  if (spec.healthCheckNodePort && !(spec.type === 'LoadBalancer' && etp === 'Local'))
    errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
  const itp = spec.internalTrafficPolicy;
  if (itp != null && !['Cluster', 'Local'].includes(itp)) errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  const ifp = spec.ipFamilyPolicy;
  if (ifp != null && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(ifp)) errs.push(notSupported('spec.ipFamilyPolicy', ifp, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  (spec.ipFamilies ?? []).forEach((f: string, i: number) => {
    if (!['IPv4', 'IPv6'].includes(f)) errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  });
  if (spec.allocateLoadBalancerNodePorts != null && spec.type !== 'LoadBalancer') errs.push(forbidden('spec.allocateLoadBalancerNodePorts', 'may only be used when `type` is \'LoadBalancer\''));
  if (spec.loadBalancerClass != null && spec.type !== 'LoadBalancer') errs.push(forbidden('spec.loadBalancerClass', 'may only be used when `type` is \'LoadBalancer\''));
  return errs;
}

const needsClusterIP = (spec: any): boolean => spec.type !== 'ExternalName';
const needsNodePorts = (spec: any): boolean => spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
const needsHCNodePort = (spec: any): boolean => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * dropTypeDependentFields: on a type change, fields that no longer apply and that the user did
 * not change (clusterIP(s), IP families, node ports, health check port, LB fields, external
 * traffic policy) are cleared, so `kubectl patch -p '{"spec":{"type":"ClusterIP"}}'` works.
 */
export function dropTypeDependentFields(svc: any, old: any): void {
  const a = (svc.spec ??= {});
  const b = old.spec ?? {};
  if (needsClusterIP(b) && !needsClusterIP(a)) {
    if (same(a.clusterIP, b.clusterIP) && same(a.clusterIPs, b.clusterIPs)) {
      delete a.clusterIP;
      delete a.clusterIPs;
    }
    if (same(a.ipFamilies, b.ipFamilies)) delete a.ipFamilies;
    if (same(a.ipFamilyPolicy, b.ipFamilyPolicy)) delete a.ipFamilyPolicy;
  }
  if (needsNodePorts(b) && !needsNodePorts(a)) {
    const oldPorts = (b.ports ?? []).map((p: any) => p?.nodePort ?? 0);
    const newPorts = (a.ports ?? []).map((p: any) => p?.nodePort ?? 0);
    if (same(oldPorts, newPorts)) for (const p of a.ports ?? []) if (p && typeof p === 'object') delete p.nodePort;
  }
  if (needsHCNodePort(b) && !needsHCNodePort(a) && a.healthCheckNodePort === b.healthCheckNodePort) delete a.healthCheckNodePort;
  if (b.type === 'LoadBalancer' && a.type !== 'LoadBalancer') {
    if (a.allocateLoadBalancerNodePorts != null && a.allocateLoadBalancerNodePorts === b.allocateLoadBalancerNodePorts) delete a.allocateLoadBalancerNodePorts;
    if (a.loadBalancerClass != null && a.loadBalancerClass === b.loadBalancerClass) delete a.loadBalancerClass;
  }
  if (externallyAccessible(b) && !externallyAccessible(a) && a.externalTrafficPolicy === b.externalTrafficPolicy) delete a.externalTrafficPolicy;
}

/** The EXTERNAL-IP cell (getServiceExternalIP, wide). */
export function serviceExternalIP(svc: any): string {
  const spec = svc.spec ?? {};
  const ext: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const set = new Set<string>();
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing?.ip) set.add(ing.ip);
        else if (ing?.hostname) set.add(ing.hostname);
      }
      const lb = [...set].sort().join(',');
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

export function servicePorts(ports: any[] | undefined): string {
  return (ports ?? []).map((p) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p?.port}/${p?.protocol}`)).join(',');
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Service',
    listKind: 'ServiceList',
    resource: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    storagePrefix: 'services/specs',
  },
  nameFn: nameIsDNS1035Label,
  defaults: defaultService,
  status: {
    validateUpdate(svc) {
      const errs: FieldErrorList = [];
      (svc.status?.loadBalancer?.ingress ?? []).forEach((ing: any, i: number) => {
        if (ing?.ip) for (const m of isValidIP(ing.ip)) errs.push(invalid(`status.loadBalancer.ingress[${i}].ip`, ing.ip, m));
        if (ing?.ipMode && !['VIP', 'Proxy'].includes(ing.ipMode)) errs.push(notSupported(`status.loadBalancer.ingress[${i}].ipMode`, ing.ipMode, ['Proxy', 'VIP']));
      });
      return errs;
    },
  },
  prepareForCreate(svc) {
    svc.status = { loadBalancer: {} };
  },
  prepareForUpdate: dropTypeDependentFields,
  validate: validateServiceSpec,
  validateUpdate(svc, old) {
    const a = svc.spec ?? {};
    const b = old.spec ?? {};
    if (a.type === 'ExternalName' || b.type === 'ExternalName') return [];
    const newIP = a.clusterIPs?.[0] ?? a.clusterIP;
    const oldIP = b.clusterIPs?.[0] ?? b.clusterIP;
    if (newIP && oldIP && newIP !== oldIP) return [invalid('spec.clusterIPs[0]', a.clusterIPs ?? [newIP], 'may not change once set')];
    return [];
  },
  // kube-proxy 1.32 watches Services with `spec.clusterIP!=None` (headless ones skipped).
  fieldSelectors: {
    'spec.clusterIP': (svc) => svc.spec?.clusterIP ?? '',
    'spec.type': (svc) => svc.spec?.type ?? '',
  },
  table: table(
    [
      col('Type', 'string', 'The type of service.'),
      col('Cluster-IP', 'string', 'The cluster IP of the service.'),
      col('External-IP', 'string', 'The external IP of the service.'),
      col('Port(s)', 'string', 'The ports of the service.'),
      ageColumn,
      wide('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify.'),
    ],
    (svc, now) => {
      const spec = svc.spec ?? {};
      return [spec.type ?? '', spec.clusterIPs?.[0] ?? '<none>', serviceExternalIP(svc), servicePorts(spec.ports) || '<none>', age(svc, now), formatMapSelector(spec.selector)];
    },
  ),
});
