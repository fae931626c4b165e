// NodePorts (PreFilter, Filter): host ports the pod asks for must be free on the node. A hostIP of 0.0.0.0
// (or none) conflicts with the same port/protocol on any IP.
import type { FilterPlugin, PreFilterPlugin } from '../../framework/interface.js';
import { podHostPorts } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';

export const name = 'NodePorts';
export const reason = "node(s) didn't have free ports for the requested pod ports";

const stateKey = 'PreFilter' + name;

export function factory(): PreFilterPlugin & FilterPlugin {
  return {
    name,
    // PreFilter (as kube): the pod's host ports once per cycle; Skip when it has none.
    preFilter(state, pod) {
      const want = podHostPorts(pod);
      if (want.length === 0) return { status: Status.skip() };
      state.write(stateKey, want);
      return { status: Status.success() };
    },
    filter(state, pod, node) {
      const want = state.read<ReturnType<typeof podHostPorts>>(stateKey) ?? podHostPorts(pod);
      if (want.length === 0) return Status.success();
      for (const w of want)
        for (const u of node.usedPorts)
          if (u.port === w.port && u.protocol === w.protocol && (u.ip === w.ip || u.ip === '0.0.0.0' || w.ip === '0.0.0.0')) return Status.unschedulable(reason);
      return Status.success();
    },
  };
}
