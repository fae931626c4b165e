// ClusterIP and NodePort allocation for Services (kube's service REST + repair controllers):
// hooks on the services store allocate on create/update and release on delete; the state is
// rebuilt from the stored Services on start (repair) and written to /registry/ranges/serviceips
// and /registry/ranges/servicenodeports as RangeAllocation objects, where kube keeps it.
import type { Store } from '../../../../storage/store.js';
import { prefixEnd } from '../../../../storage/store.js';
import type { KObject } from '../../strategy.js';
import type { GenericStore } from '../../generic/store.js';
import type { RequestContext } from '../../generic/context.js';
import { invalid } from '../../../status.js';
import { invalid as fieldInvalid, type FieldError } from '../../../../api/field-errors.js';
import { AllocationError, IPAllocator } from './ip-allocator.js';
import { PortAllocator } from './port-allocator.js';
import { logger } from '../../../../util/log.js';

const log = logger('service-allocation');

export interface ServiceAllocation {
  ips: IPAllocator;
  ports: PortAllocator;
}

const needsIP = (svc: KObject) => svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIP !== 'None';
const needsNodePorts = (svc: KObject) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
const nodePortsOf = (svc: KObject): number[] => (svc.spec?.ports ?? []).map((p: KObject) => p.nodePort).filter((p: unknown): p is number => typeof p === 'number' && p > 0);

/** Rebuild allocation state from the stored Services (the repair loops, run once at start). */
export async function repairAllocations(store: Store, services: GenericStore, a: ServiceAllocation): Promise<void> {
  const prefix = services.prefix('');
  const r = await store.range({ key: prefix, rangeEnd: prefixEnd(prefix) });
  for (const kv of r.kvs) {
    const svc = JSON.parse(kv.value.toString('utf8')) as KObject;
    for (const ip of svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])) {
      if (ip === 'None' || !a.ips.contains(ip) || a.ips.has(ip)) continue;
      a.ips.allocate(ip);
    }
    for (const p of nodePortsOf(svc)) if (p >= a.ports.min && p <= a.ports.max && !a.ports.has(p)) a.ports.allocate(p);
  }
}

async function persist(store: Store, a: ServiceAllocation): Promise<void> {
  const put = (key: string, range: string, data: Buffer) =>
    store.put({ key: Buffer.from(key), value: Buffer.from(JSON.stringify({ kind: 'RangeAllocation', apiVersion: 'v1', metadata: { creationTimestamp: null }, range, data: data.toString('base64') })) });
  await put('/registry/ranges/serviceips', a.ips.cidr, a.ips.snapshot());
  await put('/registry/ranges/servicenodeports', a.ports.range, a.ports.snapshot());
}

/** Install the allocation hooks on the services store. */
export function installServiceAllocation(store: Store, services: GenericStore, a: ServiceAllocation): { flush(): Promise<void> } {
  let dirty = false;
  let persisting: Promise<void> | undefined;
  const schedulePersist = () => {
    dirty = true;
    if (persisting) return;
    persisting = (async () => {
      while (dirty) {
        dirty = false;
        await persist(store, a).catch((e) => log.warn({ err: e }, 'persisting service allocations failed'));
      }
      persisting = undefined;
    })();
  };
  const fail = (svc: KObject, errs: FieldError[]) => invalid('', 'Service', svc.metadata?.name ?? '', errs);

  services.beforeWrite.push((op, svc, old, ctx: RequestContext) => {
    const dry = ctx.dryRun;
    const allocatedIPs: string[] = [];
    const allocatedPorts: number[] = [];
    const rollback = () => {
      if (dry) return;
      for (const ip of allocatedIPs) a.ips.release(ip);
      for (const p of allocatedPorts) a.ports.release(p);
    };
    const spec = (svc.spec = svc.spec ?? {});
    const oldPorts = new Set(old && needsNodePorts(old) ? nodePortsOf(old) : []);
    try {
      // ClusterIP
      const hadIP = old && needsIP(old) ? (old.spec?.clusterIP as string | undefined) : undefined;
      if (needsIP(svc)) {
        const want: string | undefined = spec.clusterIP || spec.clusterIPs?.[0];
        if (hadIP && (!want || want === hadIP)) {
          spec.clusterIP = hadIP;
          spec.clusterIPs = old!.spec?.clusterIPs ?? [hadIP];
        } else if (want) {
          try {
            if (dry) {
              if (!a.ips.contains(want)) a.ips.allocate(want);
              if (a.ips.has(want)) throw new AllocationError(`failed to allocate IP ${want}: provided IP is already allocated`, 'allocated');
            } else {
              a.ips.allocate(want);
              allocatedIPs.push(want);
            }
          } catch (e) {
            // Go prints the value as []string{"..."}; kube's message is exactly that.
            if (e instanceof AllocationError) throw fail(svc, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', detail: `[]string{${JSON.stringify(want)}}: ${e.message}` }]);
            throw e;
          }
          spec.clusterIP = want;
          spec.clusterIPs = [want];
        } else {
          const ip = dry ? undefined : a.ips.allocateNext();
          if (ip) {
            allocatedIPs.push(ip);
            spec.clusterIP = ip;
            spec.clusterIPs = [ip];
          }
        }
        spec.ipFamilies = spec.ipFamilies ?? ['IPv4'];
        spec.ipFamilyPolicy = spec.ipFamilyPolicy ?? 'SingleStack';
      } else if (spec.clusterIP === 'None') spec.clusterIPs = ['None'];
      // NodePorts
      if (needsNodePorts(svc)) {
        const errs: FieldError[] = [];
        (spec.ports ?? []).forEach((p: KObject, i: number) => {
          if (p.nodePort && oldPorts.has(p.nodePort)) return;
          try {
            if (p.nodePort) {
              if (dry) {
                if (a.ports.has(p.nodePort)) throw new AllocationError('provided port is already allocated', 'allocated');
              } else {
                a.ports.allocate(p.nodePort);
                allocatedPorts.push(p.nodePort);
              }
            } else if (!dry) {
              p.nodePort = a.ports.allocateNext();
              allocatedPorts.push(p.nodePort);
            }
          } catch (e) {
            if (e instanceof AllocationError) errs.push(fieldInvalid(`spec.ports[${i}].nodePort`, p.nodePort, e.message));
            else throw e;
          }
        });
        if (errs.length) throw fail(svc, errs);
      } else for (const p of spec.ports ?? []) delete p.nodePort;
    } catch (e) {
      rollback();
      throw e;
    }
    if (dry) return;
    // Release what the update dropped (after a successful write; a failed write leaks until the next repair).
    if (op === 'update' && old) {
      const keepIP = needsIP(svc) ? spec.clusterIP : undefined;
      if (hadIPRelease(old, keepIP)) a.ips.release(old.spec.clusterIP);
      const newPorts = new Set(needsNodePorts(svc) ? nodePortsOf(svc) : []);
      for (const p of oldPorts) if (!newPorts.has(p)) a.ports.release(p);
    }
    if (allocatedIPs.length || allocatedPorts.length || op === 'update') schedulePersist();
  });
  services.writeFailed.push((svc) => {
    for (const ip of svc.spec?.clusterIPs ?? []) if (ip !== 'None') a.ips.release(ip);
    for (const p of nodePortsOf(svc)) a.ports.release(p);
  });
  services.afterDelete.push((svc) => {
    for (const ip of svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])) if (ip !== 'None') a.ips.release(ip);
    for (const p of nodePortsOf(svc)) a.ports.release(p);
    schedulePersist();
  });
  return { flush: async () => void (await persisting) };
}

function hadIPRelease(old: KObject, keep: string | undefined): boolean {
  const ip = old.spec?.clusterIP;
  return !!ip && ip !== 'None' && ip !== keep;
}
