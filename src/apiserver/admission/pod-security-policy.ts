// The policy PodSecurity evaluates for a namespace (kube's pod-security-admission api package):
// the pod-security.kubernetes.io/{enforce,audit,warn}[-version] labels over the configured
// defaults, with kube's fallbacks for bad values (an invalid enforce level fails closed to
// restricted, invalid audit/warn levels fail open to privileged, an invalid version is latest) and
// its one implicit rule: when only enforce names a level, warn follows it if that is stricter.
// Also the plugin's PodSecurityConfiguration (defaults and exemptions) from an
// AdmissionConfiguration file.
import { invalid as fieldInvalid, type FieldErrorList } from '../../api/field-errors.js';

export type Level = 'privileged' | 'baseline' | 'restricted';
export type Mode = 'enforce' | 'audit' | 'warn';

export interface LevelVersion {
  level: Level;
  version: string;
}

export type Policy = Record<Mode, LevelVersion>;

export interface PodSecurityConfig {
  defaults: Policy;
  exemptions: { usernames: string[]; runtimeClasses: string[]; namespaces: string[] };
}

export const labelPrefix = 'pod-security.kubernetes.io/';
export const levels: Level[] = ['privileged', 'baseline', 'restricted'];
const modes: Mode[] = ['enforce', 'audit', 'warn'];
const versionPattern = /^(latest|v1\.(0|[1-9]\d*))$/;

const privilegedLatest = (): LevelVersion => ({ level: 'privileged', version: 'latest' });
export const privilegedPolicy = (): Policy => ({ enforce: privilegedLatest(), audit: privilegedLatest(), warn: privilegedLatest() });

/** `level:version`, as kube prints a LevelVersion. */
export const display = (lv: LevelVersion) => `${lv.level}:${lv.version}`;
export const sameLevelVersion = (a: LevelVersion, b: LevelVersion) => a.level === b.level && a.version === b.version;
export const compareLevels = (a: Level, b: Level) => levels.indexOf(a) - levels.indexOf(b);
export const fullyPrivileged = (p: Policy) => modes.every((m) => p[m].level === 'privileged');

const isLevel = (v: string | undefined): v is Level => levels.includes(v as Level);

/** Field errors for bad pod-security labels, as kube's namespace validation words them. */
export function validateLabels(labels: Record<string, string> | undefined): FieldErrorList {
  const errs: FieldErrorList = [];
  for (const mode of ['enforce', 'warn', 'audit'] as Mode[]) {
    const l = labels?.[labelPrefix + mode];
    if (l !== undefined && !isLevel(l)) errs.push(fieldInvalid(`metadata.labels[${labelPrefix}${mode}]`, l, `must be one of ${levels.join(', ')}`));
    const v = labels?.[`${labelPrefix}${mode}-version`];
    if (v !== undefined && !versionPattern.test(v)) errs.push(fieldInvalid(`metadata.labels[${labelPrefix}${mode}-version]`, v, 'must be "latest" or "v1.x"'));
  }
  return errs;
}

/** The policy the labels set over the defaults (kube's PolicyToEvaluate). */
export function policyToEvaluate(labels: Record<string, string> | undefined, defaults: Policy = privilegedPolicy()): Policy {
  const p: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const has = (k: string) => labels !== undefined && Object.prototype.hasOwnProperty.call(labels, k);
  let enforceLevelSet = false;
  for (const mode of modes) {
    const levelKey = labelPrefix + mode;
    if (has(levelKey)) {
      const l = labels![levelKey];
      if (isLevel(l)) {
        p[mode].level = l;
        if (mode === 'enforce') enforceLevelSet = true;
      } else p[mode].level = mode === 'enforce' ? 'restricted' : 'privileged';
    }
    const versionKey = `${labelPrefix}${mode}-version`;
    if (has(versionKey)) p[mode].version = versionPattern.test(labels![versionKey]) ? labels![versionKey] : 'latest';
  }
  if (!has(`${labelPrefix}warn`) && enforceLevelSet && compareLevels(p.enforce.level, p.warn.level) > 0) {
    p.warn.level = p.enforce.level;
    if (!has(`${labelPrefix}warn-version`)) p.warn.version = p.enforce.version;
  }
  return p;
}

export class PodSecurityConfigError extends Error {}

const configVersions = ['pod-security.admission.config.k8s.io/v1', 'pod-security.admission.config.k8s.io/v1beta1', 'pod-security.admission.config.k8s.io/v1alpha1'];

/** A PodSecurityConfiguration object (from an AdmissionConfiguration), validated as kube does. */
export function parsePodSecurityConfig(raw: unknown): PodSecurityConfig {
  const o = (raw ?? {}) as Record<string, any>;
  if (o.kind !== 'PodSecurityConfiguration' || !configVersions.includes(o.apiVersion))
    throw new PodSecurityConfigError(`expected kind PodSecurityConfiguration in ${configVersions.join(', ')}, got apiVersion "${o.apiVersion ?? ''}" kind "${o.kind ?? ''}"`);
  const errs: string[] = [];
  const defaults = privilegedPolicy();
  for (const mode of modes) {
    const l = o.defaults?.[mode];
    if (l !== undefined) {
      if (isLevel(l)) defaults[mode].level = l;
      else errs.push(`defaults.${mode}: Invalid value: "${l}": must be one of ${levels.join(', ')}`);
    }
    const v = o.defaults?.[`${mode}-version`];
    if (v !== undefined) {
      if (typeof v === 'string' && versionPattern.test(v)) defaults[mode].version = v;
      else errs.push(`defaults.${mode}-version: Invalid value: "${v}": must be "latest" or "v1.x"`);
    }
  }
  const list = (k: string): string[] => {
    const v = o.exemptions?.[k] ?? [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      errs.push(`exemptions.${k}: Invalid value: must be a list of strings`);
      return [];
    }
    const seen = new Set<string>();
    v.forEach((x: string, i: number) => {
      if (!x) errs.push(`exemptions.${k}[${i}]: Invalid value: "": must be a non-empty string`);
      if (seen.has(x)) errs.push(`exemptions.${k}[${i}]: Duplicate value: "${x}"`);
      seen.add(x);
    });
    return v;
  };
  const exemptions = { usernames: list('usernames'), runtimeClasses: list('runtimeClasses'), namespaces: list('namespaces') };
  if (errs.length) throw new PodSecurityConfigError(errs.join(', '));
  return { defaults, exemptions };
}
