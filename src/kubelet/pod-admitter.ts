// The node's gate in front of its pod workers: a pod new to the node is admitted (admission.ts)
// against the pods already admitted, or rejected once and for all: phase Failed with the reason,
// and a Warning event. As the kubelet does, a pod failing only on NodeAffinity is checked once
// more against a freshly read Node (its labels may have changed since the node last read it).
// Pods that already started (a kubelet restart finds them), finished or are being deleted pass.
import type { EventRecorder } from '../client/event-recorder.js';
import { isNotFound, type KObject, type RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import type { Logger } from '../util/log.js';
import { admitPod, rejectedStatus, type AdmitResult } from './admission.js';
import type { Pod } from './pod-status.js';

export interface PodAdmitterOptions {
  client: RestClient;
  nodeName: string;
  allocatable: () => Record<string, string>;
  events?: EventRecorder;
  log: Logger;
  /** Offer the pod to the node again (after the Node was re-read). */
  retry: (pod: Pod) => void;
}

export class PodAdmitter {
  /** The node's last known Node object (labels for NodeAffinity). */
  node: KObject = {};
  private readonly rejected = new Set<string>();
  /** Pods waiting for the Node to be re-read: uid -> the newest version seen meanwhile. */
  private readonly pending = new Map<string, Pod>();
  private readonly recheck = new Set<string>();

  constructor(private readonly o: PodAdmitterOptions) {}

  /** Whether the pod may run now; false when rejected or waiting on the Node. */
  admit(pod: Pod, others: () => KObject[]): boolean {
    const uid = pod.metadata.uid;
    if (this.rejected.has(uid)) return false;
    if (this.pending.has(uid)) {
      this.pending.set(uid, pod);
      return false;
    }
    const phase = pod.status?.phase;
    if (pod.status?.startTime || phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp) return true;
    const r = admitPod(pod, this.o.allocatable(), this.node, others());
    if (r.admit) return true;
    if (r.reason === 'NodeAffinity' && !this.recheck.has(uid)) {
      this.pending.set(uid, pod);
      void this.o.client
        .get(resourcePath(Resources.nodes, undefined, this.o.nodeName))
        .then((n) => (this.node = n))
        .catch(() => undefined)
        .then(() => {
          const latest = this.pending.get(uid)!;
          this.pending.delete(uid);
          this.recheck.add(uid);
          try {
            this.o.retry(latest);
          } finally {
            this.recheck.delete(uid);
          }
        });
      return false;
    }
    this.reject(pod, r);
    return false;
  }

  forget(uid: string): void {
    this.rejected.delete(uid);
  }

  private reject(pod: Pod, r: Extract<AdmitResult, { admit: false }>): void {
    const m = pod.metadata;
    this.rejected.add(m.uid);
    this.o.log.info({ pod: `${m.namespace}/${m.name}`, reason: r.reason }, `pod rejected: ${r.message}`);
    this.o.events?.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', r.reason, r.message);
    void this.o.client.patch(resourcePath(Resources.pods, m.namespace, m.name, 'status'), { metadata: { uid: m.uid }, status: rejectedStatus(pod, r) }, 'merge').catch((e) => {
      if (!isNotFound(e)) this.o.log.warn({ pod: `${m.namespace}/${m.name}`, err: (e as Error).message }, 'failed to write the rejected pod status');
    });
  }
}
