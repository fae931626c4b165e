// Node (core/v1 nodes, stored under minions): podCIDRs from podCIDR, allocatable from capacity;
// taint and CIDR validation, podCIDR/providerID immutable once set; status subresource; the
// nodes table (STATUS from the Ready condition + SchedulingDisabled, ROLES from
// node-role.kubernetes.io/* labels); field selector spec.unschedulable.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, forbidden, duplicate } from '../../../../api/field-errors.js';
import { isQualifiedName, isValidLabelValue } from '../../../../api/validation/names.js';
import { validateQuantityValue } from '../pods/validation.js';
import { table, ageColumn, col, wide, age } from '../../printers/columns.js';

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function isCIDR(s: string): boolean {
  const m = /^(.+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const ip = m[1];
  const bits = Number(m[2]);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip.split('.').every((x) => Number(x) <= 255) && bits <= 32;
  return ip.includes(':') && bits <= 128;
}

export function validateTaints(taints: any[] | undefined, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    for (const m of isQualifiedName(t?.key ?? '')) errs.push(invalid(p + '.key', t?.key ?? '', m));
    if (t?.value) for (const m of isValidLabelValue(t.value)) errs.push(invalid(p + '.value', t.value, m));
    if (!t?.effect) errs.push(required(p + '.effect', ''));
    else if (!taintEffects.includes(t.effect)) errs.push(notSupported(p + '.effect', t.effect, taintEffects));
    const key = `${t?.key}:${t?.effect}`;
    if (seen.has(key)) errs.push(duplicate(p, t));
    seen.add(key);
  });
  return errs;
}

function nodeAddress(node: any, type: string): string {
  return (node.status?.addresses ?? []).find((a: any) => a?.type === type)?.address ?? '<none>';
}

export function nodeStatusString(node: any): string {
  const status: string[] = [];
  const ready = (node.status?.conditions ?? []).find((c: any) => c?.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

export function nodeRoles(node: any): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(String(v));
  }
  return [...roles].sort();
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Node',
    listKind: 'NodeList',
    resource: 'nodes',
    singular: 'node',
    namespaced: false,
    shortNames: ['no'],
    storagePrefix: 'minions',
  },
  defaults(node) {
    const spec = (node.spec ??= {});
    if (spec.podCIDR && !(spec.podCIDRs ?? []).length) spec.podCIDRs = [spec.podCIDR];
    if (!spec.podCIDR && (spec.podCIDRs ?? []).length) spec.podCIDR = spec.podCIDRs[0];
    const st = node.status;
    if (st && st.capacity && st.allocatable == null) st.allocatable = { ...st.capacity };
  },
  status: {
    // A node registers with its status (the kubelet creates it whole), so nothing is reset.
    initialStatus: (node) => node.status,
    validateUpdate(node) {
      const errs: FieldErrorList = [];
      for (const f of ['capacity', 'allocatable'])
        for (const [k, v] of Object.entries(node.status?.[f] ?? {})) errs.push(...validateQuantityValue(v, `status.${f}[${k}]`));
      return errs;
    },
  },
  validate(node) {
    const spec = node.spec ?? {};
    const errs: FieldErrorList = [];
    errs.push(...validateTaints(spec.taints, 'spec.taints'));
    (spec.podCIDRs ?? []).forEach((c: string, i: number) => {
      if (!isCIDR(c)) errs.push(invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    });
    if ((spec.podCIDRs ?? []).length > 2) errs.push(invalid('spec.podCIDRs', spec.podCIDRs, 'may specify no more than one CIDR for each IP family'));
    for (const f of ['capacity', 'allocatable'])
      for (const [k, v] of Object.entries(node.status?.[f] ?? {})) errs.push(...validateQuantityValue(v, `status.${f}[${k}]`));
    return errs;
  },
  validateUpdate(node, old) {
    const errs: FieldErrorList = [];
    const a = node.spec ?? {};
    const b = old.spec ?? {};
    if ((b.podCIDRs ?? []).length && JSON.stringify(a.podCIDRs ?? []) !== JSON.stringify(b.podCIDRs))
      errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    if (b.providerID && a.providerID !== b.providerID) errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    return errs;
  },
  table: table(
    [
      col('Status', 'string', 'The status of the node'),
      col('Roles', 'string', 'The roles of the node'),
      ageColumn,
      col('Version', 'string', 'Kubelet Version reported by the node.'),
      wide('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
      wide('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
      wide('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
      wide('Kernel-Version', 'string', 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).'),
      wide('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
    ],
    (node, now) => {
      const info = node.status?.nodeInfo ?? {};
      return [
        nodeStatusString(node),
        nodeRoles(node).join(',') || '<none>',
        age(node, now),
        info.kubeletVersion ?? '',
        nodeAddress(node, 'InternalIP'),
        nodeAddress(node, 'ExternalIP'),
        info.osImage || '<unknown>',
        info.kernelVersion || '<unknown>',
        info.containerRuntimeVersion || '<unknown>',
      ];
    },
  ),
  fieldSelectors: { 'spec.unschedulable': (n) => String(!!n.spec?.unschedulable) },
});
