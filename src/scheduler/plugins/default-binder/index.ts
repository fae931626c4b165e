// DefaultBinder (Bind): POST pods/<name>/binding with the chosen node.
import type { BindPlugin, Handle } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';

export const name = 'DefaultBinder';

export function factory(_args: Record<string, any>, handle: Handle): BindPlugin {
  return {
    name,
    async bind(_s, pod, nodeName) {
      try {
        await handle.bindPod(pod, nodeName);
        return Status.success();
      } catch (e) {
        return Status.error(`binding rejected: ${(e as Error).message}`);
      }
    },
  };
}
