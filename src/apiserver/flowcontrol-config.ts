// Keeps kube-apiserver's API Priority and Fairness configuration objects (kube's flowcontrol
// "ensurer" post-start hook and the status half of its APF config controller):
// - mandatory objects (exempt, catch-all) are created when missing and their spec put back when
//   changed (the exempt level keeps a user's spec.exempt);
// - suggested objects are created when missing, and their spec put back when the
//   apf.kubernetes.io/autoupdate-spec annotation is "true" (an object without the annotation is
//   auto-updated only while at generation 1, and gets the annotation then);
// - every FlowSchema's Dangling condition says whether its priority level exists.
// Runs at start and then every `intervalMs`. keelson does not schedule requests by these objects
// (its --max-requests-inflight limits stay); they are served for clients that read them.
import type { Resources } from './resources.js';
import type { KObject } from './registry/strategy.js';
import { newContext } from './registry/generic/context.js';
import { deepEqual } from '../api/validation/object-meta.js';
import {
  autoUpdateAnnotation,
  mandatoryFlowSchemas,
  mandatoryPriorityLevels,
  suggestedFlowSchemas,
  suggestedPriorityLevels,
} from './registry/flowcontrol/bootstrap-objects.js';
import { listObjects } from './admission/lookup.js';
import { logger } from '../util/log.js';

const log = logger('flowcontrol');
const group = 'flowcontrol.apiserver.k8s.io';

/** Whether an existing object's spec follows the bootstrap one (kube's shouldUpdateSpec). */
function autoUpdates(cur: KObject): boolean {
  const a = cur.metadata?.annotations?.[autoUpdateAnnotation];
  if (a !== undefined) return a === 'true';
  return cur.metadata?.generation === 1;
}

async function ensureOne(resources: Resources, resource: string, want: KObject, mandatory: boolean): Promise<void> {
  const store = resources.storeFor(group, resource);
  if (!store) return;
  const name = want.metadata!.name;
  await store.guaranteedUpdate(
    newContext(''),
    name,
    (cur) => {
      if (!cur) return structuredClone(want);
      if (!mandatory && !autoUpdates(cur)) return cur;
      const spec = structuredClone(want.spec);
      if (mandatory && name === 'exempt' && resource === 'prioritylevelconfigurations' && cur.spec?.exempt) spec.exempt = cur.spec.exempt;
      if (deepEqual(cur.spec, spec) && cur.metadata?.annotations?.[autoUpdateAnnotation] === 'true') return cur;
      cur.spec = spec;
      (cur.metadata!.annotations ??= {})[autoUpdateAnnotation] = 'true';
      return cur;
    },
    { allowCreate: true },
  );
}

/** kube's Dangling condition of a FlowSchema. */
function danglingCondition(fs: KObject, levels: Set<string>, now: Date): KObject {
  const pl = fs.spec?.priorityLevelConfiguration?.name ?? '';
  const found = levels.has(pl);
  return {
    type: 'Dangling',
    status: found ? 'False' : 'True',
    lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    reason: found ? 'Found' : 'NotFound',
    message: found
      ? `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(pl)} and it exists`
      : `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(pl)} but there is no such object`,
  };
}

async function updateDangling(resources: Resources): Promise<void> {
  const store = resources.storeFor(group, 'flowschemas');
  if (!store) return;
  const levels = new Set((await listObjects(resources, [group, 'v1', 'prioritylevelconfigurations'], '')).map((o) => o.metadata?.name as string));
  const writes = (await listObjects(resources, [group, 'v1', 'flowschemas'], '')).map(async (fs) => {
    const want = danglingCondition(fs, levels, new Date());
    const old = (fs.status?.conditions ?? []).find((c: KObject) => c.type === 'Dangling');
    if (old && old.status === want.status && old.reason === want.reason && old.message === want.message) return;
    await store
      .guaranteedUpdate(
        newContext(''),
        fs.metadata!.name,
        (cur) => {
          cur = cur!;
          const others = (cur.status?.conditions ?? []).filter((c: KObject) => c.type !== 'Dangling');
          cur.status = { ...(cur.status ?? {}), conditions: [...others, want] };
          return cur;
        },
        { subresource: 'status' },
      )
      .catch((e) => log.debug({ err: e, name: fs.metadata?.name }, 'flowschema status not written'));
  });
  await Promise.all(writes);
}

/** One pass: bootstrap objects, then FlowSchema statuses. */
export async function ensureFlowControlConfig(resources: Resources): Promise<void> {
  // Independent objects are written concurrently: the store commits them in a few batches.
  await Promise.all([
    ...mandatoryPriorityLevels.map((pl) => ensureOne(resources, 'prioritylevelconfigurations', pl, true)),
    ...suggestedPriorityLevels.map((pl) => ensureOne(resources, 'prioritylevelconfigurations', pl, false)),
    ...mandatoryFlowSchemas.map((fs) => ensureOne(resources, 'flowschemas', fs, true)),
    ...suggestedFlowSchemas.map((fs) => ensureOne(resources, 'flowschemas', fs, false)),
  ]);
  await updateDangling(resources);
}

/** Re-run ensureFlowControlConfig every `intervalMs` until `signal` aborts. */
export function startFlowControlConfig(resources: Resources, signal: AbortSignal, intervalMs = 10_000): void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    ensureFlowControlConfig(resources)
      .catch((e) => log.warn({ err: e }, 'flowcontrol configuration not ensured'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
