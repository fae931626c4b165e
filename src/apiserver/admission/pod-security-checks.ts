// The Pod Security Standards checks (kube's pod-security-admission policy package): the
// baseline checks, then the restricted ones (which replace the baseline capabilities, seccomp
// and hostPath checks), each yielding kube's reason and detail so the messages read exactly as
// kube's: `reason (detail), reason (detail)`. A policy version (v1.N) runs the checks that
// existed then, as kube's minimum versions: seccomp from v1.19, restricted capabilities from
// v1.22 (the baseline capabilities check before), runAsUser from v1.23, allowPrivilegeEscalation
// from v1.8, the safe sysctls of v1.27 and v1.29; "latest" and newer versions run them all.
// Divergences: the message wording is latest's for every version (kube's older check versions
// differ only in Windows handling); Windows pods are not exempted from the Linux-only checks.
import type { KObject } from '../registry/strategy.js';

export type Level = 'privileged' | 'baseline' | 'restricted';
export interface Violation {
  reason: string;
  detail: string;
}
type Check = (meta: KObject, spec: KObject) => Violation | undefined;

const pluralize = (one: string, many: string, n: number) => (n === 1 ? one : many);
const joinQuote = (xs: string[]) => xs.map((x) => `"${x}"`).join(', ');
const containers = (spec: KObject): KObject[] => [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
const sorted = (s: Iterable<string>) => [...new Set(s)].sort();
const named = (what: [string, string], names: string[]) => `${pluralize(what[0], what[1], names.length)} ${joinQuote(names)}`;
const CONTAINERS: [string, string] = ['container', 'containers'];

const baselineCaps = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
/** Safe sysctls by the version that allowed them. */
const safeSysctlsSince: Array<[number, string[]]> = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
];
const safeSysctls = (minor: number) => new Set(safeSysctlsSince.filter(([v]) => v <= minor).flatMap(([, names]) => names));
const restrictedVolumeOk = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret']);
const seLinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

const appArmorProfile: Check = (meta, spec) => {
  const bad: string[] = [];
  const badProfile = (p: KObject | undefined) => p?.type === 'Unconfined';
  if (badProfile(spec.securityContext?.appArmorProfile)) bad.push('pod');
  for (const c of containers(spec)) if (badProfile(c.securityContext?.appArmorProfile)) bad.push(`container "${c.name}"`);
  for (const [k, v] of Object.entries(meta.annotations ?? {}) as [string, string][])
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) bad.push(`${k}="${v}"`);
  return bad.length ? { reason: 'forbidden AppArmor profiles', detail: bad.join(', ') } : undefined;
};

const hostNamespaces: Check = (_m, spec) => {
  const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => spec[k] === true).map((k) => `${k}=true`);
  return set.length ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
};

const hostPathVolumes: Check = (_m, spec) => {
  const names = (spec.volumes ?? []).filter((v: KObject) => v.hostPath).map((v: KObject) => v.name);
  return names.length ? { reason: 'hostPath volumes', detail: named(['volume', 'volumes'], names) } : undefined;
};

const hostPorts: Check = (_m, spec) => {
  const names: string[] = [];
  const ports: string[] = [];
  for (const c of containers(spec)) {
    const hp = (c.ports ?? []).filter((p: KObject) => p.hostPort).map((p: KObject) => String(p.hostPort));
    if (hp.length) {
      names.push(c.name);
      ports.push(...hp);
    }
  }
  if (!names.length) return undefined;
  return { reason: 'hostPort', detail: `${named(CONTAINERS, names)} ${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}` };
};

const privileged: Check = (_m, spec) => {
  const names = containers(spec).filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
  return names.length ? { reason: 'privileged', detail: `${named(CONTAINERS, names)} must not set securityContext.privileged=true` } : undefined;
};

const procMount: Check = (_m, spec) => {
  const bad = containers(spec).filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== 'Default');
  if (!bad.length) return undefined;
  return { reason: 'procMount', detail: `${named(CONTAINERS, bad.map((c) => c.name))} must not set securityContext.procMount to ${joinQuote(sorted(bad.map((c) => c.securityContext.procMount)))}` };
};

const seLinuxOptions: Check = (_m, spec) => {
  const setters: string[] = [];
  const bad = new Set<string>();
  const check = (o: KObject | undefined) => {
    if (!o) return false;
    const found: string[] = [];
    if (!seLinuxTypes.has(o.type ?? '')) found.push(`type "${o.type}"`);
    if (o.user) found.push(`user "${o.user}"`);
    if (o.role) found.push(`role "${o.role}"`);
    for (const f of found) bad.add(f);
    return found.length > 0;
  };
  if (check(spec.securityContext?.seLinuxOptions)) setters.push('pod');
  const names = containers(spec).filter((c) => check(c.securityContext?.seLinuxOptions)).map((c) => c.name);
  if (names.length) setters.push(named(CONTAINERS, names));
  return setters.length ? { reason: 'seLinuxOptions', detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${sorted(bad).join('; ')}` } : undefined;
};

const sysctls = (minor: number): Check => {
  const safe = safeSysctls(minor);
  return (_m, spec) => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s: KObject) => s.name).filter((n: string) => !safe.has(n));
    return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
  };
};

const windowsHostProcess: Check = (_m, spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.windowsOptions?.hostProcess === true) setters.push('pod');
  const names = containers(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map((c) => c.name);
  if (names.length) setters.push(named(CONTAINERS, names));
  return setters.length ? { reason: 'hostProcess', detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
};

const capabilitiesBaseline: Check = (_m, spec) => {
  const names: string[] = [];
  const caps = new Set<string>();
  for (const c of containers(spec)) {
    const bad = (c.securityContext?.capabilities?.add ?? []).filter((x: string) => !baselineCaps.has(x));
    if (bad.length) {
      names.push(c.name);
      for (const x of bad) caps.add(x);
    }
  }
  return names.length ? { reason: 'non-default capabilities', detail: `${named(CONTAINERS, names)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add` } : undefined;
};

/** seccomp: the baseline form (Unconfined is forbidden) and the restricted one (must be set). */
function seccomp(restricted: boolean): Check {
  return (_m, spec) => {
    const valid = (t: string | undefined) => (restricted ? t === 'RuntimeDefault' || t === 'Localhost' : t !== 'Unconfined');
    const setters: string[] = [];
    const badValues = new Set<string>();
    const podType = spec.securityContext?.seccompProfile?.type;
    if (spec.securityContext?.seccompProfile && !valid(podType)) {
      setters.push('pod');
      badValues.add(podType);
    }
    const podSet = spec.securityContext?.seccompProfile && valid(podType);
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const c of containers(spec)) {
      const t = c.securityContext?.seccompProfile?.type;
      if (c.securityContext?.seccompProfile) {
        if (!valid(t)) {
          explicit.push(c.name);
          badValues.add(t);
        }
      } else if (!podSet) implicit.push(c.name);
    }
    if (explicit.length) setters.push(named(CONTAINERS, explicit));
    if (setters.length) return { reason: 'seccompProfile', detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(badValues))}` };
    if (restricted && implicit.length) return { reason: 'seccompProfile', detail: `pod or ${named(CONTAINERS, implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
    return undefined;
  };
}

const allowPrivilegeEscalation: Check = (_m, spec) => {
  const names = containers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  return names.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${named(CONTAINERS, names)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
};

const capabilitiesRestricted: Check = (_m, spec) => {
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const caps = new Set<string>();
  for (const c of containers(spec)) {
    const cap = c.securityContext?.capabilities;
    if (!(cap?.drop ?? []).includes('ALL')) missingDrop.push(c.name);
    const bad = (cap?.add ?? []).filter((x: string) => x !== 'NET_BIND_SERVICE');
    if (bad.length) {
      adding.push(c.name);
      for (const x of bad) caps.add(x);
    }
  }
  const details: string[] = [];
  if (missingDrop.length) details.push(`${named(CONTAINERS, missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length) details.push(`${named(CONTAINERS, adding)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`);
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
};

const restrictedVolumes: Check = (_m, spec) => {
  const names: string[] = [];
  const types = new Set<string>();
  for (const v of spec.volumes ?? []) {
    const kinds = Object.keys(v).filter((k) => k !== 'name' && v[k] != null);
    const bad = kinds.filter((k) => !restrictedVolumeOk.has(k));
    if (bad.length) {
      names.push(v.name);
      for (const k of bad) types.add(k);
    }
  }
  if (!names.length) return undefined;
  const t = sorted(types);
  return {
    reason: 'restricted volume types',
    detail: `${named(['volume', 'volumes'], names)} ${pluralize('uses', 'use', names.length)} ${pluralize('restricted volume type', 'restricted volume types', t.length)} ${joinQuote(t)}`,
  };
};

const runAsNonRoot: Check = (_m, spec) => {
  const setters: string[] = [];
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue === false) setters.push('pod');
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (v === false) explicit.push(c.name);
    else if (v === undefined || v === null) {
      if (podValue !== true) implicit.push(c.name);
    }
  }
  if (explicit.length) setters.push(named(CONTAINERS, explicit));
  if (setters.length) return { reason: 'runAsNonRoot != true', detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false` };
  if (implicit.length) return { reason: 'runAsNonRoot != true', detail: `pod or ${named(CONTAINERS, implicit)} must set securityContext.runAsNonRoot=true` };
  return undefined;
};

const runAsUser: Check = (_m, spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) setters.push('pod');
  const names = containers(spec).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name);
  if (names.length) setters.push(named(CONTAINERS, names));
  return setters.length ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` } : undefined;
};

/** The minor version a policy version names ("latest" and v1.N; newer than known = latest). */
export function policyMinor(version: string | undefined): number {
  const m = /^v1\.(\d+)$/.exec(version ?? '');
  return m ? Number(m[1]) : Infinity;
}

const since = (minor: number, from: number, c: Check): Check[] => (minor >= from ? [c] : []);

/**
 * The checks of a level at a version, in kube's order: the baseline checks by ID (Go's byte
 * order: appArmorProfile, capabilities_baseline, hostNamespaces, hostPathVolumes, hostPorts,
 * privileged, procMount, seLinuxOptions, seccompProfile_baseline, sysctls, windowsHostProcess),
 * then the restricted ones by ID; restricted drops the baseline checks its own replace.
 */
function checksFor(level: 'baseline' | 'restricted', minor: number): Check[] {
  const r = level === 'restricted';
  return [
    appArmorProfile,
    ...(r && minor >= 22 ? [] : [capabilitiesBaseline]),
    hostNamespaces,
    ...(r ? [] : [hostPathVolumes]),
    hostPorts,
    privileged,
    procMount,
    seLinuxOptions,
    ...(r ? [] : since(minor, 19, seccomp(false))),
    sysctls(minor),
    windowsHostProcess,
    ...(r ? [...since(minor, 8, allowPrivilegeEscalation), ...since(minor, 22, capabilitiesRestricted), restrictedVolumes, runAsNonRoot, ...since(minor, 23, runAsUser), ...since(minor, 19, seccomp(true))] : []),
  ];
}

const cache = new Map<string, Check[]>();

/** The violations of a pod (metadata + spec) at a level and version (default latest), in kube's order. */
export function evaluatePod(level: Level, meta: KObject, spec: KObject, version = 'latest'): Violation[] {
  if (level === 'privileged') return [];
  const minor = policyMinor(version);
  const key = `${level}:${minor}`;
  let checks = cache.get(key);
  if (!checks) cache.set(key, (checks = checksFor(level, minor)));
  return checks.map((c) => c(meta ?? {}, spec ?? {})).filter((v): v is Violation => !!v);
}

/** `reason (detail), reason (detail)` as kube's AggregateCheckResult.ForbiddenDetail. */
export function formatViolations(vs: Violation[]): string {
  return vs.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}
