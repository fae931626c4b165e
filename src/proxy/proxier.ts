// What every proxy mode implements (kube-proxy's Provider): program the node for the current
// service ports, and undo it all on shutdown.
import type { ServicePort } from './service-port.js';

export type ProxyMode = 'nftables' | 'iptables' | 'userspace';

export interface SyncResult {
  /** Rules (nftables/iptables) or listeners (userspace) in place after the sync. */
  rules: number;
  /** Map/set elements (nftables), 0 otherwise. */
  elements: number;
}

export interface Proxier {
  readonly mode: ProxyMode;
  /** Make the node match `ports` (the whole state, level-triggered). Throws when it could not. */
  sync(ports: ServicePort[]): Promise<SyncResult>;
  /** Remove everything this proxier created. */
  cleanup(): Promise<void>;
}
