// The CEL environment Kubernetes' API server gives its expressions (CRD validation rules,
// ValidatingAdmissionPolicy, webhook matchConditions): @marcbachmann/cel-js's standard
// functions and macros, optional types, and the Kubernetes libraries: lists, regex, strings
// extensions, url, quantity, ip/cidr and sets. Built once; callers clone it to declare their
// variables.
import { Environment } from '@marcbachmann/cel-js';
import { registerIpLibrary } from './library-ip.js';
import { registerListsLibrary } from './library-lists.js';
import { registerQuantityLibrary } from './library-quantity.js';
import { registerRegexLibrary } from './library-regex.js';
import { registerSetsLibrary } from './library-sets.js';
import { registerStringsLibrary } from './library-strings.js';
import { registerUrlLibrary } from './library-url.js';

let base: Environment | undefined;

/** The shared base environment (frozen: clone it to add variables). */
export function kubernetesCelBase(): Environment {
  if (base) return base;
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: true });
  registerListsLibrary(env);
  registerRegexLibrary(env);
  registerStringsLibrary(env);
  registerUrlLibrary(env);
  registerQuantityLibrary(env);
  registerIpLibrary(env);
  registerSetsLibrary(env);
  base = env;
  return env;
}

let crdEnv: Environment | undefined;
let crdOptionalEnv: Environment | undefined;
let admissionEnv: Environment | undefined;

/** CRD validation rules: `self` and `oldSelf`, typed dynamically. */
export function crdRuleEnvironment(): Environment {
  return (crdEnv ??= kubernetesCelBase().clone().registerVariable('self', 'dyn').registerVariable('oldSelf', 'dyn'));
}

/** CRD validation rules with optionalOldSelf: `oldSelf` is an optional. */
export function crdOptionalOldSelfEnvironment(): Environment {
  return (crdOptionalEnv ??= kubernetesCelBase().clone().registerVariable('self', 'dyn').registerVariable('oldSelf', 'optional<dyn>'));
}

/** Admission expressions (ValidatingAdmissionPolicy, matchConditions): variables are dynamic. */
export function admissionEnvironment(): Environment {
  return (admissionEnv ??= kubernetesCelBase().clone({ unlistedVariablesAreDyn: true }));
}
