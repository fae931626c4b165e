// Chain names of the iptables mode, formed as kube-proxy forms its KUBE-* names: a fixed prefix
// and the first 16 base32 characters of sha256(<namespace>/<name>:<port name> + protocol
// [+ endpoint]), so every name fits iptables' 28-character limit (KEELSON-SVC- is 12).
import type { Endpoint } from '../endpoint-slices.js';
import { shortHash } from '../hash.js';
import type { ServicePort } from '../service-port.js';

export const PREFIX = 'KEELSON-';
export const SERVICES = 'KEELSON-SERVICES';
export const EXTERNAL_SERVICES = 'KEELSON-EXTERNAL-SERVICES';
export const NODEPORTS = 'KEELSON-NODEPORTS';
export const POSTROUTING = 'KEELSON-POSTROUTING';
export const MARK_MASQ = 'KEELSON-MARK-MASQ';
export const FORWARD = 'KEELSON-FORWARD';

const portProto = (sp: ServicePort) => `${sp.id}${sp.protocol}`;

/** All endpoints of a service port (the Cluster traffic policy). */
export const svcChain = (sp: ServicePort) => `KEELSON-SVC-${shortHash(portProto(sp), 16)}`;
/** The endpoints on this node (a Local traffic policy). */
export const svlChain = (sp: ServicePort) => `KEELSON-SVL-${shortHash(portProto(sp), 16)}`;
/** NodePorts and external IPs of a service port. */
export const extChain = (sp: ServicePort) => `KEELSON-EXT-${shortHash(portProto(sp), 16)}`;
/** One endpoint (also the name of its `recent` list for ClientIP affinity). */
export const sepChain = (sp: ServicePort, ep: Endpoint) => `KEELSON-SEP-${shortHash(`${portProto(sp)}${ep.ip}:${ep.port}`, 16)}`;
