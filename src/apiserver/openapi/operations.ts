// The `paths` of an OpenAPI v3 group-version document: for each served resource the collection,
// item, all-namespaces and subresource paths with GET/PUT/PATCH/DELETE/POST operations, as
// kube-apiserver publishes them. kubectl reads two things from here: a PATCH operation carrying
// `x-kubernetes-group-version-kind` and a `fieldValidation` parameter (then it sends
// fieldValidation=Strict and skips client-side validation), and the PATCH request body content
// types (strategic-merge-patch listed = client-side apply sends a strategic merge patch).
import type { ResourceInfo } from '../registry/strategy.js';
import type { GroupVersionKind } from './types.js';

/** A resource as the documents see it. */
export interface ServedResource {
  info: ResourceInfo;
  /** Component schema name of the kind (its list is `<name>List` unless listSchema is set). */
  schema: string;
  listSchema?: string;
  status?: boolean;
  scale?: boolean;
  /** Custom resources take no strategic merge patch (kube-apiserver answers 415). */
  strategicMergePatch: boolean;
}

export const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const STATUS_SCHEMA = `${META}.Status`;
export const DELETE_OPTIONS_SCHEMA = `${META}.DeleteOptions`;
export const PATCH_SCHEMA = `${META}.Patch`;
export const WATCH_EVENT_SCHEMA = `${META}.WatchEvent`;
export const SCALE_SCHEMA = 'io.k8s.api.autoscaling.v1.Scale';

type Param = { name: string; in: 'query' | 'path'; description: string; required?: boolean; schema: { type: string; uniqueItems?: boolean } };
const q = (name: string, type: string, description: string): Param => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });

const P = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: - Ignore - Warn (the default) - Strict: fail the request with a BadRequest error on unknown or duplicate fields.',
  ),
  force: q('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Must be unset for non-apply patch requests.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Zero means delete immediately.'),
  propagationPolicy: q('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy.'),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  resourceVersion: q('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'Together with watch=true, the watch stream begins with synthetic events for the current state.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  limit: q('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  continue: q('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  name: (kind: string): Param => ({ name: 'name', in: 'path', required: true, description: `name of the ${kind}`, schema: { type: 'string', uniqueItems: true } }),
  namespace: { name: 'namespace', in: 'path', required: true, description: 'object name and auth scope, such as for teams and projects', schema: { type: 'string', uniqueItems: true } } as Param,
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];

const content = (schema: string, types = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']) =>
  Object.fromEntries(types.map((t) => [t, { schema: ref(schema) }]));
const ok = (schema: string, extra?: string[]) => ({ description: 'OK', content: content(schema, extra) });

/** The PATCH request body content types: the four patch types (three for custom resources). */
export function patchContentTypes(strategicMergePatch: boolean): string[] {
  return ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', ...(strategicMergePatch ? ['application/strategic-merge-patch+json'] : [])];
}

/** 'rbac.authorization.k8s.io' -> 'RbacAuthorization', '' -> 'Core', 'stable.example.com' -> 'StableExampleCom'. */
export function groupCamel(group: string): string {
  if (!group) return 'Core';
  const g = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return g
    .split(/[.-]/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

const cap = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** Adds the path items of one resource to `paths`. */
export function addResourcePaths(paths: Record<string, any>, r: ServedResource): void {
  const { info } = r;
  const verbs = new Set(info.verbs ?? DEFAULT_VERBS);
  const prefix = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const gvk: GroupVersionKind = { group: info.group, version: info.version, kind: info.kind };
  const tag = `${groupCamel(info.group).replace(/^./, (c) => c.toLowerCase())}_${info.version}`;
  const idBase = `${groupCamel(info.group)}${cap(info.version)}`;
  const ns = info.namespaced ? 'Namespaced' : '';
  const collection = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`;
  const item = `${collection}/{name}`;
  const scopeParams = info.namespaced ? [P.namespace] : [];
  const listSchema = r.listSchema ?? `${r.schema}List`;
  const op = (action: string, verb: string, description: string, extra: Record<string, unknown>, kindGvk = gvk) => ({
    description,
    operationId: (extra.operationId as string | undefined) ?? `${verb}${idBase}${ns}${info.kind}${extra.idSuffix ?? ''}`,
    ...(extra.parameters ? { parameters: extra.parameters } : {}),
    ...(extra.requestBody ? { requestBody: extra.requestBody } : {}),
    responses: extra.responses,
    tags: [tag],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kindGvk,
  });
  const body = (schema: string) => ({ content: { '*/*': { schema: ref(schema) } }, required: true });
  const patchBody = {
    content: Object.fromEntries(patchContentTypes(r.strategicMergePatch).map((t) => [t, { schema: ref(PATCH_SCHEMA) }])),
    required: true,
  };
  const writeParams = [P.dryRun, P.fieldManager, P.fieldValidation];

  const coll: Record<string, unknown> = { parameters: [...scopeParams, P.pretty] };
  if (verbs.has('list'))
    coll.get = op('list', 'list', `list or watch objects of kind ${info.kind}`, {
      parameters: LIST_PARAMS,
      responses: { '200': ok(listSchema, ['application/json', 'application/json;stream=watch', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/vnd.kubernetes.protobuf;stream=watch']) },
    });
  if (verbs.has('create'))
    coll.post = op('post', 'create', `create ${article(info.kind)} ${info.kind}`, {
      parameters: writeParams,
      requestBody: body(r.schema),
      responses: { '200': ok(r.schema), '201': { ...ok(r.schema), description: 'Created' }, '202': { ...ok(r.schema), description: 'Accepted' } },
    });
  if (verbs.has('deletecollection'))
    coll.delete = op('deletecollection', 'deletecollection', `delete collection of ${info.kind}`, {
      operationId: `delete${idBase}Collection${ns}${info.kind}`,
      parameters: [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.timeoutSeconds],
      requestBody: { content: { '*/*': { schema: ref(DELETE_OPTIONS_SCHEMA) } } },
      responses: { '200': ok(STATUS_SCHEMA) },
    });
  if (coll.get || coll.post || coll.delete) paths[collection] = coll;

  const it: Record<string, unknown> = { parameters: [P.name(info.kind), ...scopeParams, P.pretty] };
  if (verbs.has('get')) it.get = op('get', 'read', `read the specified ${info.kind}`, { responses: { '200': ok(r.schema) } });
  if (verbs.has('update'))
    it.put = op('put', 'replace', `replace the specified ${info.kind}`, {
      parameters: writeParams,
      requestBody: body(r.schema),
      responses: { '200': ok(r.schema), '201': { ...ok(r.schema), description: 'Created' } },
    });
  if (verbs.has('patch'))
    it.patch = op('patch', 'patch', `partially update the specified ${info.kind}`, {
      parameters: [...writeParams, P.force],
      requestBody: patchBody,
      responses: { '200': ok(r.schema), '201': { ...ok(r.schema), description: 'Created' } },
    });
  if (verbs.has('delete'))
    it.delete = op('delete', 'delete', `delete ${article(info.kind)} ${info.kind}`, {
      parameters: [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy],
      requestBody: { content: { '*/*': { schema: ref(DELETE_OPTIONS_SCHEMA) } } },
      responses: { '200': ok(STATUS_SCHEMA), '202': { ...ok(STATUS_SCHEMA), description: 'Accepted' } },
    });
  if (it.get || it.put || it.patch || it.delete) paths[item] = it;

  if (info.namespaced && verbs.has('list')) {
    paths[`${prefix}/${info.resource}`] = {
      parameters: [...LIST_PARAMS, P.pretty],
      get: { ...op('list', 'list', `list or watch objects of kind ${info.kind}`, { responses: { '200': ok(listSchema) } }), operationId: `list${idBase}${info.kind}ForAllNamespaces` },
    };
  }

  const sub = (name: string, schema: string, kindGvk: GroupVersionKind, suffix: string, smp: boolean) => {
    const p: Record<string, unknown> = { parameters: [P.name(info.kind), ...scopeParams, P.pretty] };
    p.get = op('get', 'read', `read ${name} of the specified ${info.kind}`, { idSuffix: suffix, responses: { '200': ok(schema) } }, kindGvk);
    p.put = op('put', 'replace', `replace ${name} of the specified ${info.kind}`, { idSuffix: suffix, parameters: writeParams, requestBody: body(schema), responses: { '200': ok(schema) } }, kindGvk);
    p.patch = op(
      'patch',
      'patch',
      `partially update ${name} of the specified ${info.kind}`,
      {
        idSuffix: suffix,
        parameters: [...writeParams, P.force],
        requestBody: { content: Object.fromEntries(patchContentTypes(smp).map((t) => [t, { schema: ref(PATCH_SCHEMA) }])), required: true },
        responses: { '200': ok(schema) },
      },
      kindGvk,
    );
    paths[`${item}/${name}`] = p;
  };
  if (r.status) sub('status', r.schema, gvk, 'Status', r.strategicMergePatch);
  if (r.scale) sub('scale', SCALE_SCHEMA, { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'Scale', true);
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}
