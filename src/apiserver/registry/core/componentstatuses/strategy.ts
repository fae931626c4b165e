// ComponentStatus (core/v1 componentstatuses, `kubectl get cs`): computed on each get/list from
// the health checks in checks.ts, never stored; deprecated since v1.19, which every answer says
// in a Warning header as kube-apiserver does. A name that is not a component is kube's plain
// error (500, "Component not found: <name>"). Columns: NAME STATUS MESSAGE ERROR.
import type { Handler } from '../../../handlers/context.js';
import { ApiError, methodNotAllowed } from '../../../status.js';
import { respondComputed, type ComputedStrategy } from '../../computed.js';
import { col, table } from '../../printers/columns.js';
import type { KObject } from '../../strategy.js';
import { makePredicate } from '../../generic/filter.js';
import type { ComponentChecks, ComponentHealth } from './checks.js';

export const DEPRECATION_WARNING = 'v1 ComponentStatus is deprecated in v1.19+';

function componentStatus(name: string, h: ComponentHealth): KObject {
  return {
    kind: 'ComponentStatus',
    apiVersion: 'v1',
    metadata: { name, creationTimestamp: null },
    conditions: [{ type: 'Healthy', status: h.status, message: h.message, ...(h.error ? { error: h.error } : {}) }],
  };
}

async function run(name: string, check: () => Promise<ComponentHealth>): Promise<KObject> {
  try {
    return componentStatus(name, await check());
  } catch (e) {
    return componentStatus(name, { status: 'Unknown', message: '', error: (e as Error).message });
  }
}

export const strategy: ComputedStrategy = {
  info: { group: '', version: 'v1', kind: 'ComponentStatus', listKind: 'ComponentStatusList', resource: 'componentstatuses', singular: 'componentstatus', namespaced: false, shortNames: ['cs'], verbs: ['get', 'list'] },
  table: table([col('Status', 'string', 'Status of the component conditions'), col('Message', 'string', 'Message of the component conditions'), col('Error', 'string', 'Error of the component conditions')], (o) => {
    const c = ((o.conditions ?? []) as KObject[]).find((x) => x.type === 'Healthy');
    if (!c) return ['Unknown', '', ''];
    return [c.status === 'True' ? 'Healthy' : 'Unhealthy', c.message ?? '', c.error ?? ''];
  }),
  async computedRead(h: Handler) {
    if (h.info.verb !== 'get' && h.info.verb !== 'list') throw methodNotAllowed();
    // Sent with errors too (server.ts writes the warnings of a failed request).
    h.ctx.warnings.push(DEPRECATION_WARNING);
    const checks: ComponentChecks = h.state.componentStatuses ?? new Map();
    if (h.info.verb === 'get') {
      const check = checks.get(h.info.name);
      if (!check) throw new ApiError(500, '', `Component not found: ${h.info.name}`);
      return respondComputed(h, [await run(h.info.name, check)], undefined);
    }
    const p = makePredicate(strategy, h.query.get('labelSelector'), h.query.get('fieldSelector'));
    const names = [...checks.keys()].filter((n) => p.matches({ metadata: { name: n } }));
    // All checks at once, as kube runs them in parallel.
    const items = await Promise.all(names.map((n) => run(n, checks.get(n)!)));
    // List items carry no kind/apiVersion of their own, as in kube's lists.
    respondComputed(h, items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest), { kind: 'ComponentStatusList', apiVersion: 'v1' });
  },
};
