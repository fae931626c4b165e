// kube-apiserver's `--admission-control-config-file`: an AdmissionConfiguration naming, per
// plugin, its configuration inline (`configuration`) or in another file (`path`, relative to the
// AdmissionConfiguration's directory). Only PodSecurity reads its entry here; the other plugins'
// entries are accepted and ignored (their configuration is not modelled yet).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export class AdmissionConfigError extends Error {}

const apiVersions = ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1alpha1', 'apiserver.k8s.io/v1alpha1'];

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AdmissionConfigError(`unable to read admission control configuration from "${path}" [${(e as Error).message}]`);
  }
  try {
    return parseYaml(text);
  } catch (e) {
    throw new AdmissionConfigError(`unable to decode "${path}": ${(e as Error).message}`);
  }
}

/** Each plugin's configuration object by plugin name. */
export function readAdmissionConfig(path: string): Record<string, unknown> {
  const doc = (readYaml(path) ?? {}) as { apiVersion?: string; kind?: string; plugins?: Array<{ name?: string; path?: string; configuration?: unknown }> };
  if (doc.kind !== 'AdmissionConfiguration' || !apiVersions.includes(doc.apiVersion ?? ''))
    throw new AdmissionConfigError(`"${path}": expected kind AdmissionConfiguration in ${apiVersions.join(', ')}, got apiVersion "${doc.apiVersion ?? ''}" kind "${doc.kind ?? ''}"`);
  const out: Record<string, unknown> = {};
  for (const [i, p] of (doc.plugins ?? []).entries()) {
    if (!p?.name) throw new AdmissionConfigError(`"${path}": plugins[${i}].name: Required value`);
    if (p.configuration !== undefined) out[p.name] = p.configuration;
    else if (p.path) out[p.name] = readYaml(resolve(dirname(path), p.path));
  }
  return out;
}
