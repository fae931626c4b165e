// EndpointSlice (discovery.k8s.io/v1 endpointslices): port protocol TCP and name "" defaults;
// address type, addresses (1..100, valid for the type), ports and conditions validation;
// generation 1 on create, bumped when anything but metadata changes; addressType immutable;
// NAME ADDRESSTYPE PORTS ENDPOINTS AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, duplicate, tooMany } from './errors.js';
import { isIPv4, isIPv6, isDNS1123Subdomain, isDNS1123Label, isValidPortNum } from '../../../../api/validation/names.js';
import { validateImmutableField, deepEqual } from '../../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];

function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

export function formatDiscoveryPorts(ports: any[] | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of ports ?? []) {
    if (list.length < 3) list.push(p?.port != null ? String(p.port) : p?.name ? String(p.name) : '*');
    else if (list.length === 3) more = true;
    count++;
  }
  return listWithMore(list, more, count, 3);
}

export function formatDiscoveryEndpoints(endpoints: any[] | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const e of endpoints ?? [])
    for (const a of e?.addresses ?? []) {
      if (list.length < 3) list.push(a);
      else if (list.length === 3) more = true;
      count++;
    }
  return listWithMore(list, more, count, 3);
}

export const strategy = defineStrategy({
  info: {
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    listKind: 'EndpointSliceList',
    resource: 'endpointslices',
    singular: 'endpointslice',
    namespaced: true,
  },
  defaults(es) {
    for (const p of es.ports ?? []) {
      if (!p || typeof p !== 'object') continue;
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  prepareForCreate(es) {
    (es.metadata ??= {}).generation = 1;
  },
  prepareForUpdate(es, old) {
    const strip = (o: any) => {
      const { metadata: _m, ...rest } = o;
      return rest;
    };
    if (!deepEqual(strip(es), strip(old))) (es.metadata ??= {}).generation = (old.metadata?.generation ?? 0) + 1;
  },
  validate(es) {
    const errs: FieldErrorList = [];
    const at = es.addressType;
    if (!at) errs.push(required('addressType', ''));
    else if (!addressTypes.includes(at)) errs.push(notSupported('addressType', at, addressTypes));
    const eps: any[] = es.endpoints ?? [];
    if (eps.length > 1000) errs.push(tooMany('endpoints', eps.length, 1000));
    eps.forEach((e, i) => {
      const p = `endpoints[${i}]`;
      const addrs: any[] = e?.addresses ?? [];
      if (addrs.length === 0) errs.push(required(p + '.addresses', 'must contain at least 1 address'));
      else if (addrs.length > 100) errs.push(tooMany(p + '.addresses', addrs.length, 100));
      addrs.forEach((a, j) => {
        const ap = `${p}.addresses[${j}]`;
        if (at === 'IPv4' && !isIPv4(a)) errs.push(invalid(ap, a, 'must be a valid IPv4 address'));
        if (at === 'IPv6' && !isIPv6(a)) errs.push(invalid(ap, a, 'must be a valid IPv6 address'));
        if (at === 'FQDN') for (const m of isDNS1123Subdomain(a)) errs.push(invalid(ap, a, m));
      });
      if (e?.nodeName) for (const m of isDNS1123Subdomain(e.nodeName)) errs.push(invalid(p + '.nodeName', e.nodeName, m));
      if (e?.hostname) for (const m of isDNS1123Label(e.hostname)) errs.push(invalid(p + '.hostname', e.hostname, m));
    });
    const ports: any[] = es.ports ?? [];
    if (ports.length > 20000) errs.push(tooMany('ports', ports.length, 20000));
    const names = new Set<string>();
    ports.forEach((pt, i) => {
      const p = `ports[${i}]`;
      const name = pt?.name ?? '';
      if (name) for (const m of isDNS1123Label(name)) errs.push(invalid(p + '.name', name, m));
      if (names.has(name)) errs.push(duplicate(p + '.name', name));
      names.add(name);
      if (pt?.port != null) for (const m of isValidPortNum(pt.port)) errs.push(invalid(p + '.port', pt.port, m));
      if (!pt?.protocol) errs.push(required(p + '.protocol', ''));
      else if (!['SCTP', 'TCP', 'UDP'].includes(pt.protocol)) errs.push(notSupported(p + '.protocol', pt.protocol, ['SCTP', 'TCP', 'UDP']));
    });
    return errs;
  },
  validateUpdate: (es, old) => validateImmutableField(es.addressType, old.addressType, 'addressType'),
  table: table(
    [
      col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
      col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
      col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
      ageColumn,
    ],
    (es, now) => [es.addressType ?? '', formatDiscoveryPorts(es.ports), formatDiscoveryEndpoints(es.endpoints), age(es, now)],
  ),
});
