// Whether the container runtime lets the node be Ready, as the kubelet's runtime state decides it
// (its updateRuntimeUp and the Ready condition setter): the runtime must answer its Status call
// and report RuntimeReady and NetworkReady; otherwise the node's Ready condition is False with
// reason KubeletNotReady and a message naming what is missing, worded as the kubelet words it:
//
//   container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady
//   message:Network plugin returns error: cni plugin not initialized
//
// (containerd says that until its CNI config directory holds a network). Runtimes without a
// Status call (process, simulated) are ready while the kubelet runs.
import type { ContainerRuntime, RuntimeCondition } from './runtime/types.js';

const RUNTIME_READY = 'RuntimeReady';
const NETWORK_READY = 'NetworkReady';

/** A condition as the kubelet prints it: `NetworkReady=false reason:... message:...`. */
function describe(type: string, c: RuntimeCondition | undefined): string {
  return c ? `${c.type}=${c.status} reason:${c.reason} message:${c.message}` : `${type} condition missing`;
}

/** What keeps the node from being Ready, from the runtime's conditions (empty: nothing). */
export function runtimeErrors(conditions: RuntimeCondition[]): string[] {
  const errs: string[] = [];
  const runtime = conditions.find((c) => c.type === RUNTIME_READY);
  if (!runtime?.status) errs.push(`container runtime not ready: ${describe(RUNTIME_READY, runtime)}`);
  const network = conditions.find((c) => c.type === NETWORK_READY);
  if (!network?.status) errs.push(`container runtime network not ready: ${describe(NETWORK_READY, network)}`);
  return errs;
}

/** Asks the runtime (when it has a Status call) what keeps the node from being Ready. */
export async function checkRuntime(runtime: ContainerRuntime): Promise<string[]> {
  if (!runtime.status) return [];
  try {
    return runtimeErrors(await runtime.status());
  } catch (e) {
    return [`container runtime is down: ${(e as Error).message}`];
  }
}

/** The Ready condition's message for these errors (one: itself; several: `[a, b]`, as Go's
 * aggregated errors print). */
export function notReadyMessage(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}
