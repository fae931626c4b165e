// RFC 6902 JSON Patch (application/json-patch+json), with the error texts of the json-patch
// library kube-apiserver uses (github.com/evanphx/json-patch, v4 semantics): negative array
// indices count from the end, `-` appends, pointers decode ~1 -> "/" then ~0 -> "~".
// Decode errors are 400 BadRequest; application errors are 422 Invalid (see errors.ts).
import { badRequest, unprocessable, PatchError } from './errors.js';
import { clone, deepEqual, isObject, type JsonObject } from './json-util.js';

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Kubernetes' limit on operations in one JSON patch (413 beyond it). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Decodes one RFC 6901 reference token. */
export const decodePointerToken = (t: string): string => t.replace(/~1/g, '/').replace(/~0/g, '~');
/** Encodes one RFC 6901 reference token. */
export const encodePointerToken = (t: string): string => t.replace(/~/g, '~0').replace(/\//g, '~1');

/** Checks the shape of a decoded patch document (BadRequest otherwise) and returns it typed. */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    const t = isObject(patch) ? 'object' : patch === null ? 'null' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${t} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patch) {
    if (!isObject(op)) throw badRequest(`json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`);
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError('BadRequest', 413, `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  return patch as JsonPatchOperation[];
}

type Container = { kind: 'object'; obj: JsonObject } | { kind: 'array'; arr: unknown[]; parent: (v: unknown[]) => void };

interface Located {
  con: Container;
  key: string;
}

/**
 * Finds the container holding the last token of `path` (json-patch's findObject). Returns
 * undefined when an intermediate step is missing or not a container.
 */
function findObject(root: { doc: unknown }, path: string): Located | undefined {
  if (!path.startsWith('/')) return undefined;
  const parts = path.slice(1).split('/').map(decodePointerToken);
  const key = parts.pop()!;
  let cur: unknown = root.doc;
  let setCur: (v: unknown[]) => void = (v) => (root.doc = v);
  for (const p of parts) {
    if (isObject(cur)) {
      const obj = cur;
      const next = obj[p];
      setCur = (v) => (obj[p] = v);
      cur = next;
    } else if (Array.isArray(cur)) {
      const arr = cur;
      const idx = arrayIndex(p, arr.length);
      if (idx === undefined || idx < 0 || idx >= arr.length) return undefined;
      setCur = (v) => (arr[idx] = v);
      cur = arr[idx];
    } else return undefined;
  }
  if (isObject(cur)) return { con: { kind: 'object', obj: cur }, key };
  if (Array.isArray(cur)) return { con: { kind: 'array', arr: cur, parent: setCur }, key };
  return undefined;
}

function arrayIndex(token: string, len: number): number | undefined {
  if (!/^-?\d+$/.test(token)) return undefined;
  let i = Number(token);
  if (i < 0) i += len;
  return i;
}

class OpFailure extends Error {}

function conGet({ con, key }: Located): { found: boolean; value?: unknown } {
  if (con.kind === 'object') {
    return Object.prototype.hasOwnProperty.call(con.obj, key) ? { found: true, value: con.obj[key] } : { found: false };
  }
  const i = arrayIndex(key, con.arr.length);
  if (i === undefined) throw new OpFailure(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  if (i < 0 || i >= con.arr.length) throw new OpFailure(`Unable to access invalid index: ${key}: invalid index referenced`);
  return { found: true, value: con.arr[i] };
}

function conAdd({ con, key }: Located, value: unknown): void {
  if (con.kind === 'object') {
    con.obj[key] = value;
    return;
  }
  if (key === '-') {
    con.arr.push(value);
    return;
  }
  const i = arrayIndex(key, con.arr.length + 1);
  if (i === undefined) throw new OpFailure(`value was not a proper array index: '${key}': strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  if (i < 0 || i > con.arr.length) throw new OpFailure(`Unable to access invalid index: ${key}: invalid index referenced`);
  con.arr.splice(i, 0, value);
}

function conRemove({ con, key }: Located): void {
  if (con.kind === 'object') {
    if (!Object.prototype.hasOwnProperty.call(con.obj, key)) throw new OpFailure(`Unable to remove nonexistent key: ${key}: missing value`);
    delete con.obj[key];
    return;
  }
  const i = arrayIndex(key, con.arr.length);
  if (i === undefined) throw new OpFailure(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  if (i < 0 || i >= con.arr.length) throw new OpFailure(`Unable to access invalid index: ${key}: invalid index referenced`);
  con.arr.splice(i, 1);
}

function conSet({ con, key }: Located, value: unknown): void {
  if (con.kind === 'object') {
    con.obj[key] = value;
    return;
  }
  const i = arrayIndex(key, con.arr.length)!;
  con.arr[i] = value;
}

function pathOf(op: JsonObject, field: 'path' | 'from', what: string): string {
  const p = op[field];
  if (typeof p !== 'string') throw unprocessable(`${what} failed to decode ${field}: missing value`);
  return p;
}

/**
 * Applies an RFC 6902 patch to a document and returns the new document; the input is not
 * modified. Throws PatchError: BadRequest (400) for a malformed patch, Invalid (422) when an
 * operation does not apply (missing path, failed test, bad index).
 */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = decodeJsonPatch(patch);
  const root = { doc: clone(doc) };
  for (const raw of ops as unknown as JsonObject[]) {
    const kind = raw.op;
    try {
      switch (kind) {
        case 'add': {
          const path = pathOf(raw, 'path', 'add operation');
          if (path === '') {
            root.doc = clone(raw.value ?? null);
            break;
          }
          const loc = findObject(root, path);
          if (!loc) throw unprocessable(`add operation does not apply: doc is missing path: "${path}": missing value`);
          wrap(() => conAdd(loc, clone(raw.value ?? null)), `error in add for path: '${path}'`);
          break;
        }
        case 'remove': {
          const path = pathOf(raw, 'path', 'remove operation');
          const loc = findObject(root, path);
          if (!loc) throw unprocessable(`remove operation does not apply: doc is missing path: "${path}": missing value`);
          wrap(() => conRemove(loc), `error in remove for path: '${path}'`);
          break;
        }
        case 'replace': {
          const path = pathOf(raw, 'path', 'replace operation');
          if (path === '') {
            root.doc = clone(raw.value ?? null);
            break;
          }
          const loc = findObject(root, path);
          if (!loc) throw unprocessable(`replace operation does not apply: doc is missing path: ${path}: missing value`);
          // json-patch v4 (the one kube-apiserver uses) only checks array indices here: replacing a
          // missing object member sets it.
          if (loc.con.kind === 'array') {
            try {
              conGet(loc);
            } catch {
              throw unprocessable(`replace operation does not apply: doc is missing key: ${path}: missing value`);
            }
          }
          conSet(loc, clone(raw.value ?? null));
          break;
        }
        case 'move': {
          const from = pathOf(raw, 'from', 'move operation');
          const path = pathOf(raw, 'path', 'move operation');
          const src = findObject(root, from);
          if (!src) throw unprocessable(`move operation does not apply: doc is missing from path: ${from}: missing value`);
          const got = wrap(() => conGet(src), `error in move for path: '${src.key}'`);
          wrap(() => conRemove(src), `error in move for path: '${src.key}'`);
          const dst = findObject(root, path);
          if (!dst) throw unprocessable(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
          wrap(() => conAdd(dst, got.value), `error in move for path: '${path}'`);
          break;
        }
        case 'copy': {
          const from = pathOf(raw, 'from', 'copy operation');
          const path = pathOf(raw, 'path', 'copy operation');
          const src = findObject(root, from);
          if (!src) throw unprocessable(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
          const got = wrap(() => conGet(src), `error in copy for from: '${from}'`);
          const dst = findObject(root, path);
          if (!dst) throw unprocessable(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
          // a missing member copies as null, as json-patch v4 does
          wrap(() => conAdd(dst, clone(got.found ? got.value : null)), 'error while adding value during copy');
          break;
        }
        case 'test': {
          const path = pathOf(raw, 'path', 'test operation');
          let actual: { found: boolean; value?: unknown };
          if (path === '') actual = { found: true, value: root.doc };
          else {
            const loc = findObject(root, path);
            if (!loc) throw unprocessable(`test operation does not apply: is missing path: ${path}: missing value`);
            actual = wrap(() => conGet(loc), `error in test for path: '${path}'`);
          }
          const expected = raw.value ?? null;
          const value = actual.found ? actual.value : null;
          if (!deepEqual(value ?? null, expected)) throw unprocessable(`testing value ${path} failed: test failed`);
          break;
        }
        default:
          throw unprocessable(`Unexpected kind: ${typeof kind === 'string' ? kind : 'unknown'}`);
      }
    } catch (e) {
      if (e instanceof PatchError) throw e;
      throw unprocessable(e instanceof Error ? e.message : String(e));
    }
  }
  return root.doc;
}

function wrap<T>(fn: () => T, prefix: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OpFailure) throw unprocessable(`${prefix}: ${e.message}`);
    throw e;
  }
}
