// Container lifecycle hooks (kubelet's handlerRunner): postStart after a container started,
// preStop before it is stopped. A handler is exec (in the container's context), httpGet (a
// 2xx/3xx answer), or sleep; the hook may take at most `timeoutSeconds` (the grace period for
// preStop). Returns an error message, or undefined on success.
import type { KObject } from '../client/rest-client.js';
import { sleep } from '../util/sleep.js';
import { runProbe, type ProbeTarget } from './probes.js';

export async function runHook(handler: KObject, target: ProbeTarget, timeoutSeconds: number): Promise<string | undefined> {
  if (handler.sleep) {
    await sleep(Math.min(handler.sleep.seconds ?? 0, timeoutSeconds) * 1000);
    return undefined;
  }
  if (handler.exec) {
    const r = await target.runtime.exec(target.containerId, handler.exec.command ?? [], timeoutSeconds);
    return r.exitCode === 0 ? undefined : `command '${(handler.exec.command ?? []).join(' ')}' exited with ${r.exitCode}: ${r.stderr || r.stdout}`;
  }
  if (handler.httpGet || handler.tcpSocket) {
    const r = await runProbe({ ...handler, timeoutSeconds }, target);
    return r.ok ? undefined : `${handler.httpGet ? 'HTTP' : 'TCP'} lifecycle hook failed: ${r.output}`;
  }
  return undefined;
}
