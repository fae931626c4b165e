// Pod spec validation as Kubernetes' pkg/apis/core/validation (ValidatePodSpec and friends),
// with the same field paths and messages. Shared by pods, pod templates and every workload.
// Covered: volumes (names, one source, PVC/configMap/secret refs), containers and init
// containers (names, image, ports, env, volume mounts, pull policy, resources, probes,
// termination message policy), restartPolicy, dnsPolicy, nodeName, serviceAccountName,
// hostname/subdomain, activeDeadlineSeconds, nodeSelector, tolerations, imagePullSecrets.
// hostPort conflicts, topologySpreadConstraints, inter-pod affinity terms (pod-affinity.ts).
// Light: securityContext, node affinity, ephemeral containers and
// dnsConfig are only structurally checked.
import { type FieldErrorList, invalid, required, duplicate, notFound, notSupported, forbidden } from '../../../../api/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, isQualifiedName, isConfigMapKey } from '../../../../api/validation/names.js';
import { validateLabels } from '../../../../api/validation/labels.js';
import { podVolumeSources } from './defaults.js';
import { validateQuantityValue, validateResourceRequirements } from './resources.js';
import { validatePodAffinity } from './pod-affinity.js';

const isNegativeErrorMsg = 'must be greater than or equal to 0';
const maxInt32 = 2147483647;

export interface PodSpecOptions {
  /** Validating a template (workloads): some pod-only checks are skipped. */
  template?: boolean;
}

export function validateVolumes(volumes: any[] | undefined, path: string): { errs: FieldErrorList; names: Set<string> } {
  const errs: FieldErrorList = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = `${path}[${i}]`;
    const name = v?.name ?? '';
    if (!name) errs.push(required(p + '.name', ''));
    else {
      for (const m of isDNS1123Label(name)) errs.push(invalid(p + '.name', name, m));
      if (names.has(name)) errs.push(duplicate(p + '.name', name));
      names.add(name);
    }
    const sources = podVolumeSources.filter((k) => v?.[k] != null);
    if (sources.length === 0) errs.push(required(p, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(`${p}.${sources[1]}`, 'may not specify more than 1 volume type'));
    if (v?.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(p + '.persistentVolumeClaim.claimName', ''));
    if (v?.secret) {
      if (v.secret.secretName) for (const m of isDNS1123Subdomain(v.secret.secretName)) errs.push(invalid(p + '.secret.secretName', v.secret.secretName, m));
      errs.push(...validateKeyToPath(v.secret.items, p + '.secret.items'));
      errs.push(...validateMode(v.secret.defaultMode, p + '.secret.defaultMode'));
    }
    if (v?.configMap) {
      if (v.configMap.name) for (const m of isDNS1123Subdomain(v.configMap.name)) errs.push(invalid(p + '.configMap.name', v.configMap.name, m));
      errs.push(...validateKeyToPath(v.configMap.items, p + '.configMap.items'));
      errs.push(...validateMode(v.configMap.defaultMode, p + '.configMap.defaultMode'));
    }
    if (v?.hostPath) {
      if (!v.hostPath.path) errs.push(required(p + '.hostPath.path', ''));
      const types = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
      if (v.hostPath.type != null && !types.includes(v.hostPath.type)) errs.push(notSupported(p + '.hostPath.type', v.hostPath.type, types));
    }
    if (v?.emptyDir) {
      const media = ['', 'Memory', 'HugePages'];
      if (v.emptyDir.medium != null && !media.includes(v.emptyDir.medium) && !String(v.emptyDir.medium).startsWith('HugePages-'))
        errs.push(notSupported(p + '.emptyDir.medium', v.emptyDir.medium, media));
      if (v.emptyDir.sizeLimit != null) errs.push(...validateQuantityValue(v.emptyDir.sizeLimit, p + '.emptyDir.sizeLimit'));
    }
    if (v?.nfs) {
      if (!v.nfs.server) errs.push(required(p + '.nfs.server', ''));
      if (!v.nfs.path) errs.push(required(p + '.nfs.path', ''));
      else if (!String(v.nfs.path).startsWith('/')) errs.push(invalid(p + '.nfs.path', v.nfs.path, 'must be an absolute path'));
    }
    if (v?.csi && !v.csi.driver) errs.push(required(p + '.csi.driver', ''));
  });
  return { errs, names };
}

function validateMode(mode: unknown, path: string): FieldErrorList {
  if (mode == null) return [];
  if (typeof mode !== 'number' || mode < 0 || mode > 0o777) return [invalid(path, mode, 'must be a number between 0 and 0777 (octal), both inclusive')];
  return [];
}

function validateKeyToPath(items: any[] | undefined, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  (items ?? []).forEach((it, i) => {
    const p = `${path}[${i}]`;
    if (!it?.key) errs.push(required(p + '.key', ''));
    if (!it?.path) errs.push(required(p + '.path', ''));
    else errs.push(...validateLocalNonReservedPath(it.path, p + '.path'));
    errs.push(...validateMode(it?.mode, p + '.mode'));
  });
  return errs;
}

function validateLocalNonReservedPath(target: string, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  if (target.startsWith('/')) errs.push(invalid(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errs.push(invalid(path, target, "must not contain '..'"));
  if (target.startsWith('..')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

export { validateQuantityValue, validateResourceRequirements };

function validateEnv(env: any[] | undefined, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  (env ?? []).forEach((e, i) => {
    const p = `${path}[${i}]`;
    const name = e?.name ?? '';
    if (!name) errs.push(required(p + '.name', ''));
    else if (!/^[\x20-\x7e]+$/.test(name) || name.includes('='))
      errs.push(invalid(p + '.name', name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    const vf = e?.valueFrom;
    if (vf) {
      const n = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => vf[k] != null);
      if (e.value) errs.push(invalid(p + '.valueFrom', '', 'may not be specified when `value` is not empty'));
      if (n.length === 0) errs.push(invalid(p + '.valueFrom', '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (n.length > 1) errs.push(invalid(p + '.valueFrom', '', 'may not have more than one field specified at a time'));
      if (vf.fieldRef && !vf.fieldRef.fieldPath) errs.push(required(p + '.valueFrom.fieldRef.fieldPath', ''));
      for (const k of ['configMapKeyRef', 'secretKeyRef']) {
        const r = vf[k];
        if (!r) continue;
        if (!r.key) errs.push(required(`${p}.valueFrom.${k}.key`, ''));
        else for (const m of isConfigMapKey(r.key)) errs.push(invalid(`${p}.valueFrom.${k}.key`, r.key, m));
      }
      if (vf.resourceFieldRef && !vf.resourceFieldRef.resource) errs.push(required(p + '.valueFrom.resourceFieldRef.resource', ''));
    }
  });
  return errs;
}

function validateProbe(probe: any, path: string, isLivenessOrStartup: boolean): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!probe) return errs;
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((k) => probe[k] != null);
  if (handlers.length === 0) errs.push(required(path, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    if (probe[f] != null && probe[f] < 0) errs.push(invalid(`${path}.${f}`, probe[f], isNegativeErrorMsg));
  }
  if (isLivenessOrStartup && probe.successThreshold != null && probe.successThreshold !== 1) errs.push(invalid(path + '.successThreshold', probe.successThreshold, 'must be 1'));
  if (probe.httpGet) {
    errs.push(...validatePortNumOrName(probe.httpGet.port, path + '.httpGet.port'));
    if (probe.httpGet.scheme && !['HTTP', 'HTTPS'].includes(probe.httpGet.scheme)) errs.push(notSupported(path + '.httpGet.scheme', probe.httpGet.scheme, ['HTTP', 'HTTPS']));
  }
  if (probe.tcpSocket) errs.push(...validatePortNumOrName(probe.tcpSocket.port, path + '.tcpSocket.port'));
  if (probe.exec && !probe.exec.command?.length) errs.push(required(path + '.exec.command', ''));
  return errs;
}

export function validatePortNumOrName(port: unknown, path: string): FieldErrorList {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') {
    if (port === '') return [required(path, '')];
    return isValidPortName(port).map((m) => invalid(path, port, m));
  }
  return [required(path, '')];
}

function validateContainer(c: any, path: string, volumes: Set<string>, kind: 'containers' | 'initContainers', restartPolicy: string | undefined): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!c || typeof c !== 'object') return [invalid(path, c, 'must be an object')];
  const image = c.image ?? '';
  if (!image) errs.push(required(path + '.image', ''));
  else if (image !== image.trim()) errs.push(invalid(path + '.image', image, 'must not have leading or trailing whitespace'));
  if (c.lifecycle) {
    for (const h of ['postStart', 'preStop']) {
      const hh = c.lifecycle[h];
      if (!hh) continue;
      const n = ['exec', 'httpGet', 'tcpSocket', 'sleep'].filter((k) => hh[k] != null);
      if (n.length === 0) errs.push(required(`${path}.lifecycle.${h}`, 'must specify a handler type'));
    }
  }
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(path + '.terminationMessagePolicy', 'must be \'File\' or \'FallbackToLogsOnError\''));
  else if (!['File', 'FallbackToLogsOnError'].includes(tmp)) errs.push(invalid(path + '.terminationMessagePolicy', tmp, 'must be \'File\' or \'FallbackToLogsOnError\''));
  // ports
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((pt: any, i: number) => {
    const p = `${path}.ports[${i}]`;
    if (pt?.name) {
      for (const m of isValidPortName(pt.name)) errs.push(invalid(p + '.name', pt.name, m));
      if (portNames.has(pt.name)) errs.push(duplicate(p + '.name', pt.name));
      portNames.add(pt.name);
    }
    if (!pt?.containerPort) errs.push(required(p + '.containerPort', ''));
    else for (const m of isValidPortNum(pt.containerPort)) errs.push(invalid(p + '.containerPort', pt.containerPort, m));
    if (pt?.hostPort) for (const m of isValidPortNum(pt.hostPort)) errs.push(invalid(p + '.hostPort', pt.hostPort, m));
    if (!pt?.protocol) errs.push(required(p + '.protocol', ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(pt.protocol)) errs.push(notSupported(p + '.protocol', pt.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  errs.push(...validateEnv(c.env, path + '.env'));
  (c.envFrom ?? []).forEach((e: any, i: number) => {
    const p = `${path}.envFrom[${i}]`;
    const n = ['configMapRef', 'secretRef'].filter((k) => e?.[k] != null);
    if (n.length === 0) errs.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n.length > 1) errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
  });
  // volume mounts
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m: any, i: number) => {
    const p = `${path}.volumeMounts[${i}]`;
    if (!m?.name) errs.push(required(p + '.name', ''));
    else if (!volumes.has(m.name)) errs.push(notFound(p + '.name', m.name));
    if (!m?.mountPath) errs.push(required(p + '.mountPath', ''));
    else {
      if (mountPaths.has(m.mountPath)) errs.push(invalid(p + '.mountPath', m.mountPath, 'must be unique'));
      mountPaths.add(m.mountPath);
    }
    if (m?.subPath) errs.push(...validateLocalNonReservedPath(m.subPath, p + '.subPath'));
  });
  const pp = c.imagePullPolicy;
  const policies = ['Always', 'IfNotPresent', 'Never'];
  if (!pp) errs.push(required(path + '.imagePullPolicy', ''));
  else if (!policies.includes(pp)) errs.push(notSupported(path + '.imagePullPolicy', pp, policies));
  errs.push(...validateResourceRequirements(c.resources, path + '.resources'));
  const sidecar = kind === 'initContainers' && c.restartPolicy === 'Always';
  if (c.restartPolicy != null) {
    if (kind === 'containers') errs.push(forbidden(path + '.restartPolicy', 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') errs.push(notSupported(path + '.restartPolicy', c.restartPolicy, ['Always']));
  }
  if (kind === 'initContainers' && !sidecar) {
    for (const pr of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
      if (c[pr] != null) errs.push(forbidden(`${path}.${pr}`, 'may not be set for init containers without restartPolicy=Always'));
  } else {
    errs.push(...validateProbe(c.livenessProbe, path + '.livenessProbe', true));
    errs.push(...validateProbe(c.readinessProbe, path + '.readinessProbe', false));
    errs.push(...validateProbe(c.startupProbe, path + '.startupProbe', true));
  }
  void restartPolicy;
  return errs;
}

function validateContainerList(list: any[] | undefined, path: string, volumes: Set<string>, kind: 'containers' | 'initContainers', seen: Set<string>, restartPolicy: string | undefined): FieldErrorList {
  const errs: FieldErrorList = [];
  (list ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    const name = c?.name ?? '';
    if (!name) errs.push(required(p + '.name', ''));
    else {
      for (const m of isDNS1123Label(name)) errs.push(invalid(p + '.name', name, m));
      if (seen.has(name)) errs.push(duplicate(p + '.name', name));
      seen.add(name);
    }
    errs.push(...validateContainer(c, p, volumes, kind, restartPolicy));
  });
  return errs;
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

export function validateRestartPolicy(policy: unknown, path: string): FieldErrorList {
  if (!policy) return [required(path, '')];
  if (!restartPolicies.includes(policy as string)) return [notSupported(path, policy, restartPolicies)];
  return [];
}

/** ValidatePodSpec: `path` is where the spec sits (`spec`, `spec.template.spec`). */
export function validatePodSpec(spec: any, path: string, _opts: PodSpecOptions = {}): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!spec || typeof spec !== 'object') return [required(path, '')];
  const { errs: vErrs, names: volumes } = validateVolumes(spec.volumes, path + '.volumes');
  errs.push(...vErrs);
  const seen = new Set<string>();
  if (!spec.containers?.length) errs.push(required(path + '.containers', ''));
  else errs.push(...validateContainerList(spec.containers, path + '.containers', volumes, 'containers', seen, spec.restartPolicy));
  errs.push(...validateContainerList(spec.initContainers, path + '.initContainers', volumes, 'initContainers', seen, spec.restartPolicy));
  (spec.ephemeralContainers ?? []).forEach((c: any, i: number) => {
    const p = `${path}.ephemeralContainers[${i}]`;
    if (!c?.name) errs.push(required(p + '.name', ''));
    else if (seen.has(c.name)) errs.push(duplicate(p + '.name', c.name));
    if (!c?.image) errs.push(required(p + '.image', ''));
  });
  errs.push(...validateRestartPolicy(spec.restartPolicy, path + '.restartPolicy'));
  if (!spec.dnsPolicy) errs.push(required(path + '.dnsPolicy', ''));
  else if (!dnsPolicies.includes(spec.dnsPolicy)) errs.push(notSupported(path + '.dnsPolicy', spec.dnsPolicy, dnsPolicies));
  else if (spec.dnsPolicy === 'None' && !spec.dnsConfig) errs.push(required(path + '.dnsConfig', 'must provide `dnsConfig` when `dnsPolicy` is None'));
  errs.push(...validateLabels(spec.nodeSelector, path + '.nodeSelector'));
  if (spec.nodeName) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(invalid(path + '.nodeName', spec.nodeName, m));
  if (spec.serviceAccountName) for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(invalid(path + '.serviceAccountName', spec.serviceAccountName, m));
  if (spec.activeDeadlineSeconds != null) {
    const v = spec.activeDeadlineSeconds;
    if (!Number.isInteger(v) || v < 1 || v > maxInt32) errs.push(invalid(path + '.activeDeadlineSeconds', v, `must be between 1 and ${maxInt32}, inclusive`));
  }
  if (spec.hostname) for (const m of isDNS1123Label(spec.hostname)) errs.push(invalid(path + '.hostname', spec.hostname, m));
  if (spec.subdomain) for (const m of isDNS1123Label(spec.subdomain)) errs.push(invalid(path + '.subdomain', spec.subdomain, m));
  (spec.imagePullSecrets ?? []).forEach((s: any, i: number) => {
    if (!s?.name) errs.push(required(`${path}.imagePullSecrets[${i}].name`, ''));
  });
  errs.push(...validateTolerations(spec.tolerations, path + '.tolerations'));
  errs.push(...validateHostPorts(spec, path));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, path + '.topologySpreadConstraints'));
  errs.push(...validatePodAffinity(spec, path));
  if (spec.terminationGracePeriodSeconds != null && !Number.isInteger(spec.terminationGracePeriodSeconds))
    errs.push(invalid(path + '.terminationGracePeriodSeconds', spec.terminationGracePeriodSeconds, 'must be an integer'));
  if (spec.priorityClassName) for (const m of isDNS1123Subdomain(spec.priorityClassName)) errs.push(invalid(path + '.priorityClassName', spec.priorityClassName, m));
  if (spec.overhead) errs.push(...validateResourceRequirements({ limits: spec.overhead }, path + '.overhead'));
  if (spec.preemptionPolicy != null && !['PreemptLowerPriority', 'Never'].includes(spec.preemptionPolicy))
    errs.push(notSupported(path + '.preemptionPolicy', spec.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  (spec.readinessGates ?? []).forEach((g: any, i: number) => {
    for (const m of isQualifiedName(g?.conditionType ?? '')) errs.push(invalid(`${path}.readinessGates[${i}].conditionType`, g?.conditionType ?? '', m));
  });
  (spec.schedulingGates ?? []).forEach((g: any, i: number) => {
    for (const m of isQualifiedName(g?.name ?? '')) errs.push(invalid(`${path}.schedulingGates[${i}].name`, g?.name ?? '', m));
  });
  return errs;
}

/** checkHostPortConflicts: a hostPort/protocol pair may be used once across the pod's containers. */
function validateHostPorts(spec: any, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const seen = new Set<string>();
  (spec.containers ?? []).forEach((c: any, i: number) => {
    (c?.ports ?? []).forEach((p: any, j: number) => {
      if (!p?.hostPort) return;
      const key = `${p.hostIP ?? ''}/${p.hostPort}/${p.protocol ?? 'TCP'}`;
      if (seen.has(key)) errs.push(duplicate(`${path}.containers[${i}].ports[${j}].hostPort`, `${p.hostPort}/${p.protocol ?? 'TCP'}`));
      seen.add(key);
    });
  });
  return errs;
}

const unsatisfiableActions = ['DoNotSchedule', 'ScheduleAnyway'];

export function validateTopologySpreadConstraints(list: any[] | undefined, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  const seen = new Set<string>();
  (list ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!(c?.maxSkew > 0)) errs.push(invalid(p + '.maxSkew', c?.maxSkew ?? 0, 'must be greater than zero'));
    if (!c?.topologyKey) errs.push(required(p + '.topologyKey', 'can not be empty'));
    else for (const m of isQualifiedName(c.topologyKey)) errs.push(invalid(p + '.topologyKey', c.topologyKey, m));
    if (!unsatisfiableActions.includes(c?.whenUnsatisfiable)) errs.push(notSupported(p + '.whenUnsatisfiable', c?.whenUnsatisfiable ?? '', unsatisfiableActions));
    if (c?.minDomains != null) {
      if (!(c.minDomains > 0)) errs.push(invalid(p + '.minDomains', c.minDomains, 'must be greater than 0'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') errs.push(invalid(p + '.minDomains', c.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ' + c.whenUnsatisfiable));
    }
    for (const pol of ['nodeAffinityPolicy', 'nodeTaintsPolicy'])
      if (c?.[pol] != null && !['Honor', 'Ignore'].includes(c[pol])) errs.push(notSupported(`${p}.${pol}`, c[pol], ['Honor', 'Ignore']));
    const key = `{${c?.topologyKey}, ${c?.whenUnsatisfiable}}`;
    if (seen.has(key)) errs.push(duplicate(p, key));
    seen.add(key);
  });
  return errs;
}

const tolerationOps = ['Equal', 'Exists'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tols: any[] | undefined, path: string): FieldErrorList {
  const errs: FieldErrorList = [];
  (tols ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (t?.key) for (const m of isQualifiedName(t.key)) errs.push(invalid(p + '.key', t.key, m));
    if (!t?.key && t?.operator !== 'Exists') errs.push(invalid(p + '.operator', t?.operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t?.tolerationSeconds != null && t?.effect !== 'NoExecute') errs.push(invalid(p + '.effect', t?.effect, 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    if (t?.operator && !tolerationOps.includes(t.operator)) errs.push(notSupported(p + '.operator', t.operator, tolerationOps));
    if (t?.operator === 'Exists' && t?.value) errs.push(invalid(p + '.operator', t.value, 'value must be empty when `operator` is \'Exists\''));
    if (t?.effect && !taintEffects.includes(t.effect)) errs.push(notSupported(p + '.effect', t.effect, taintEffects));
  });
  return errs;
}

/** ValidatePodTemplateSpec: labels, annotations (light) and the spec. */
export function validatePodTemplateSpec(template: any, path: string): FieldErrorList {
  if (!template) return [required(path, '')];
  const errs: FieldErrorList = [];
  errs.push(...validateLabels(template.metadata?.labels, path + '.metadata.labels'));
  errs.push(...validatePodSpec(template.spec, path + '.spec', { template: true }));
  return errs;
}
