// The kubelet's public surface, for `keelson kubelet` and for `keelson server` to embed:
// startKubelet (one node, cri, process or simulated runtime) and startSimulatedNodes (N simulated
// nodes in this process). Each returns { nodes, ready, start(signal) } (DESIGN principle 5).
export { startKubelet, startSimulatedNodes, type KubeletOptions, type KubeletTimings, type RunningKubelet, type SimulatedNodesOptions } from './kubelet.js';
export type { ContainerRuntime } from './runtime/types.js';
export { SimulatedRuntime } from './runtime/simulated/runtime.js';
export { ProcessRuntime } from './runtime/process/runtime.js';
export { CriRuntime } from './runtime/cri/runtime.js';
