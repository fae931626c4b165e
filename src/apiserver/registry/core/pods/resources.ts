// ValidateResourceRequirements of kube's core validation, for containers (and a pod's overhead,
// a RuntimeClass's podFixed): resource names (qualified; a bare name must be cpu, memory,
// ephemeral-storage or hugepages-<size>; a prefixed one outside kubernetes.io an extended
// resource name), values (parseable, not negative; extended resources whole numbers; hugepages
// a multiple of the page size), requests no more than limits, and for resources that cannot be
// overcommitted (extended resources, hugepages) a limit, equal to the request. Like kube, the
// request-against-limit errors name the `requests` map, not its key.
import { type FieldErrorList, forbidden, invalid, required } from '../../../../api/field-errors.js';
import { isQualifiedName } from '../../../../api/validation/names.js';
import { compareQuantities, formatQuantity, milliValue, tryParseQuantity, type Quantity } from '../../../../api/quantity.js';

const isNegativeErrorMsg = 'must be greater than or equal to 0';
const isNotIntegerErrorMsg = 'must be an integer';

/** Bare resource names kube knows (helper.IsStandardResourceName). */
const standardResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
  'storage',
  'requests.storage',
]);
const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const integerResources = new Set(['pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);

const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

/** helper.IsExtendedResourceName: prefixed outside kubernetes.io, and a valid quota name as requests.<name>. */
export function isExtendedResourceName(name: string): boolean {
  if (isNative(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

const isIntegerResource = (name: string) => integerResources.has(name) || isExtendedResourceName(name);

/** validateContainerResourceName (with validateResourceName's checks first). */
function validateContainerResourceName(name: string, path: string): FieldErrorList {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!standardResources.has(name) && !isHugePages(name) && !name.startsWith('requests.hugepages-')) errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
    if (!standardContainerResources.has(name) && !isHugePages(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** A quantity field: parseable and not negative. */
export function validateQuantityValue(value: unknown, path: string): FieldErrorList {
  const q = tryParseQuantity(value);
  if (!q) return [invalid(path, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")];
  if (q.nano < 0n) return [invalid(path, formatQuantity(q), isNegativeErrorMsg)];
  return [];
}

/** ValidateResourceQuantityValue: not negative; a whole number for integer resources. */
function validateResourceQuantityValue(name: string, q: Quantity, path: string): FieldErrorList {
  if (q.nano < 0n) return [invalid(path, formatQuantity(q), isNegativeErrorMsg)];
  // kube prints this value as a Go struct dump (resource.Quantity{...}); here it is the quantity.
  if (isIntegerResource(name) && milliValue(q) % 1000 !== 0) return [invalid(path, formatQuantity(q), isNotIntegerErrorMsg)];
  return [];
}

/** A hugepages value must be a whole number of pages (of the size in the resource's name). */
function hugePagesError(name: string, q: Quantity): string | undefined {
  const page = tryParseQuantity(name.slice('hugepages-'.length));
  const ok = page && page.nano > 0n && page.nano % 1_000_000_000n === 0n && q.nano % page.nano === 0n;
  return ok ? undefined : `${formatQuantity(q)} is not positive integer multiple of ${name}`;
}

/** ValidateResourceRequirements: names, values, requests against limits, hugepages. */
export function validateResourceRequirements(res: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!res) return errs;
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  const limits: Record<string, Quantity> = {};
  let cpuOrMemory = false;
  let hugePages = false;
  const check = (k: string, v: unknown, p: string): Quantity | undefined => {
    errs.push(...validateContainerResourceName(k, p));
    const q = tryParseQuantity(v);
    if (!q) {
      errs.push(...validateQuantityValue(v, p));
      return undefined;
    }
    errs.push(...validateResourceQuantityValue(k, q, p));
    if (isHugePages(k)) {
      hugePages = true;
      const e = hugePagesError(k, q);
      if (e) errs.push(invalid(p, formatQuantity(q), e));
    }
    if (k === 'cpu' || k === 'memory') cpuOrMemory = true;
    return q;
  };
  for (const [k, v] of Object.entries(res.limits ?? {})) {
    const q = check(k, v, `${limPath}[${k}]`);
    if (q) limits[k] = q;
  }
  for (const [k, v] of Object.entries(res.requests ?? {})) {
    const q = check(k, v, `${reqPath}[${k}]`);
    if (!q) continue;
    const limit = limits[k];
    if (limit) {
      const cmp = compareQuantities(q, limit);
      if (cmp !== 0 && !overcommitAllowed(k)) errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${k} limit of ${formatQuantity(limit)}`));
      else if (cmp > 0) errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${k} limit of ${formatQuantity(limit)}`));
    } else if (!overcommitAllowed(k) && !(k in (res.limits ?? {}))) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  if (!cpuOrMemory && hugePages) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}
