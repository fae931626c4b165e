// Names of the per-service chains and sets in the nftables table, as kube-proxy's nftables mode
// forms them: a short hash (base32 of sha256, 8 chars) that keeps names unique, then a readable
// suffix (`service-ULMVA6XW-default/web/tcp/http`), so `nft list table ip keelson` reads well.
import type { Endpoint } from '../endpoint-slices.js';
import { shortHash } from '../hash.js';
import type { ServicePort } from '../service-port.js';

/** The first 8 base32 characters of sha256(s). */
export const hash8 = (s: string): string => shortHash(s, 8);

const base = (sp: ServicePort) => `${sp.namespace}/${sp.name}/${sp.protocol}/${sp.portName}`;

export const serviceChain = (sp: ServicePort) => `service-${hash8(base(sp))}-${base(sp)}`;
export const externalChain = (sp: ServicePort) => `external-${hash8(base(sp))}-${base(sp)}`;

export function endpointChain(sp: ServicePort, ep: Endpoint): string {
  const n = `${base(sp)}__${ep.ip}/${ep.port}`;
  return `endpoint-${hash8(n)}-${n}`;
}

/** The ClientIP affinity set of an endpoint; the timeout is part of the name (a set's timeout is fixed). */
export const affinitySet = (sp: ServicePort, ep: Endpoint) => `affinity-${hash8(`${endpointChain(sp, ep)}#${sp.affinitySeconds}`)}`;
