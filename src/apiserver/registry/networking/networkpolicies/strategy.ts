// NetworkPolicy (networking.k8s.io/v1 networkpolicies): policyTypes default (Ingress, plus
// Egress when egress rules exist), port protocol TCP; selectors, ports, ipBlock CIDRs and
// policy types validated; generation; NAME POD-SELECTOR AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, notSupported, required } from '../../../../api/field-errors.js';
import { validateLabelSelector, formatLabelSelector } from '../../../../api/validation/labels.js';
import { isValidPortNum, isValidPortName } from '../../../../api/validation/names.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

const isCIDR = (s: string): boolean => /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/.test(s);

function validatePeers(peers: any[] | undefined, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  (peers ?? []).forEach((p, i) => {
    const pp = `${path}[${i}]`;
    const n = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => p?.[k] != null).length;
    if (n === 0) errs.push(required(pp, 'must specify a peer'));
    if (p?.ipBlock && (p.podSelector || p.namespaceSelector)) errs.push(invalid(pp, p, 'may not specify both ipBlock and another peer'));
    errs.push(...validateLabelSelector(p?.podSelector, pp + '.podSelector'));
    errs.push(...validateLabelSelector(p?.namespaceSelector, pp + '.namespaceSelector'));
    if (p?.ipBlock) {
      if (!p.ipBlock.cidr) errs.push(required(pp + '.ipBlock.cidr', ''));
      else if (!isCIDR(p.ipBlock.cidr)) errs.push(invalid(pp + '.ipBlock.cidr', p.ipBlock.cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
      (p.ipBlock.except ?? []).forEach((e: string, j: number) => {
        if (!isCIDR(e)) errs.push(invalid(`${pp}.ipBlock.except[${j}]`, e, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
      });
    }
  });
  return errs;
}

function validatePorts(ports: any[] | undefined, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  (ports ?? []).forEach((p, i) => {
    const pp = `${path}[${i}]`;
    if (p?.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(notSupported(pp + '.protocol', p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (typeof p?.port === 'number') for (const m of isValidPortNum(p.port)) errs.push(invalid(pp + '.port', p.port, m));
    else if (typeof p?.port === 'string') for (const m of isValidPortName(p.port)) errs.push(invalid(pp + '.port', p.port, m));
    if (p?.endPort != null) {
      if (typeof p.port !== 'number') errs.push(required(pp + '.port', 'must be specified when endPort is specified'));
      else if (p.endPort < p.port) errs.push(invalid(pp + '.endPort', p.endPort, 'must be greater than or equal to `port`'));
    }
  });
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    listKind: 'NetworkPolicyList',
    resource: 'networkpolicies',
    singular: 'networkpolicy',
    namespaced: true,
    shortNames: ['netpol'],
  },
  defaults(np) {
    const spec = (np.spec ??= {});
    for (const r of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of r?.ports ?? []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
    if (!(spec.policyTypes ?? []).length) spec.policyTypes = (spec.egress ?? []).length ? ['Ingress', 'Egress'] : ['Ingress'];
  },
  generation: true,
  validate(np) {
    const spec = np.spec ?? {};
    const errs: FieldErrorList = [];
    errs.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
    (spec.ingress ?? []).forEach((r: any, i: number) => errs.push(...validatePorts(r?.ports, `spec.ingress[${i}].ports`), ...validatePeers(r?.from, `spec.ingress[${i}].from`)));
    (spec.egress ?? []).forEach((r: any, i: number) => errs.push(...validatePorts(r?.ports, `spec.egress[${i}].ports`), ...validatePeers(r?.to, `spec.egress[${i}].to`)));
    const types: string[] = spec.policyTypes ?? [];
    types.forEach((t, i) => {
      if (!['Ingress', 'Egress'].includes(t)) errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
    });
    if (types.length > 2) errs.push(invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
    return errs;
  },
  table: table([col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), ageColumn], (np, now) => {
    const s = formatLabelSelector(np.spec?.podSelector);
    return [s === '<none>' ? '<none>' : s, age(np, now)];
  }),
});
