// Endpoints (core/v1 endpoints, stored under services/endpoints): subset validation (addresses
// are IPs, ports valid, names unique when several) and NAME ENDPOINTS AGE.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, notSupported, duplicate } from '../../../../api/field-errors.js';
import { isValidIP, isValidPortNum, isDNS1123Label } from '../../../../api/validation/names.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';

/** formatEndpoints: up to three host:port entries, `+ N more...`, `<none>` without subsets. */
export function formatEndpoints(ep: any): string {
  const subsets: any[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a?.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(String(a?.ip).includes(':') ? `[${a.ip}]:${p?.port}` : `${a?.ip}:${p?.port}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export function validateEndpointsSubsets(subsets: any[] | undefined): FieldErrorList {
  const errs: FieldErrorList = [];
  (subsets ?? []).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (!(ss?.addresses ?? []).length && !(ss?.notReadyAddresses ?? []).length) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    for (const f of ['addresses', 'notReadyAddresses'])
      (ss?.[f] ?? []).forEach((a: any, j: number) => {
        if (!a?.ip) errs.push(required(`${p}.${f}[${j}].ip`, ''));
        else for (const m of isValidIP(a.ip)) errs.push(invalid(`${p}.${f}[${j}].ip`, a.ip, m));
        if (a?.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(invalid(`${p}.${f}[${j}].hostname`, a.hostname, m));
      });
    const names = new Set<string>();
    const ports: any[] = ss?.ports ?? [];
    ports.forEach((pt, j) => {
      const pp = `${p}.ports[${j}]`;
      if (ports.length > 1 && !pt?.name) errs.push(required(pp + '.name', ''));
      else if (pt?.name) {
        for (const m of isDNS1123Label(pt.name)) errs.push(invalid(pp + '.name', pt.name, m));
        if (names.has(pt.name)) errs.push(duplicate(pp + '.name', pt.name));
        names.add(pt.name);
      }
      for (const m of isValidPortNum(pt?.port)) errs.push(invalid(pp + '.port', pt?.port ?? 0, m));
      if (!pt?.protocol) errs.push(required(pp + '.protocol', ''));
      else if (!['SCTP', 'TCP', 'UDP'].includes(pt.protocol)) errs.push(notSupported(pp + '.protocol', pt.protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Endpoints',
    listKind: 'EndpointsList',
    resource: 'endpoints',
    singular: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
    storagePrefix: 'services/endpoints',
  },
  defaults(ep) {
    for (const ss of ep.subsets ?? []) for (const p of ss?.ports ?? []) if (p && typeof p === 'object') p.protocol ||= 'TCP';
  },
  validate: (ep) => validateEndpointsSubsets(ep.subsets),
  table: table([col('Endpoints', 'string', 'Endpoints of this service'), ageColumn], (ep, now) => [formatEndpoints(ep), age(ep, now)]),
});
