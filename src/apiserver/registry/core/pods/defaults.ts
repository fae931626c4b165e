// Pod and pod template defaulting (Kubernetes' pkg/apis/core/v1/defaults.go: SetDefaults_Pod,
// SetDefaults_PodSpec, SetDefaults_Container, probes, volumes, ports, field refs), shared with
// every workload kind's template. Objects are plain JSON; missing fields are filled in place.

/** The tag of an image reference ("" when a digest pins it); "latest" when absent. */
export function imageTag(image: string): string {
  if (!image) return 'latest';
  if (image.includes('@')) return '';
  const lastSlash = image.lastIndexOf('/');
  const last = image.slice(lastSlash + 1);
  const colon = last.lastIndexOf(':');
  return colon >= 0 ? last.slice(colon + 1) : 'latest';
}

function defaultHTTPGet(h: any): void {
  if (!h) return;
  h.path ??= '/';
  h.scheme ??= 'HTTP';
}

function defaultHandler(h: any): void {
  if (!h) return;
  defaultHTTPGet(h.httpGet);
}

export function defaultProbe(p: any): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  defaultHandler(p);
  if (p.grpc) p.grpc.service ??= '';
}

function defaultEnv(env: any[] | undefined): void {
  for (const e of env ?? []) {
    const fr = e?.valueFrom?.fieldRef;
    if (fr) fr.apiVersion ??= 'v1';
    const rr = e?.valueFrom?.resourceFieldRef;
    if (rr) rr.divisor ??= '0';
  }
}

export function defaultContainer(c: any): void {
  if (!c || typeof c !== 'object') return;
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (c.lifecycle) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
  defaultEnv(c.env);
}

function defaultDownwardItems(items: any[] | undefined): void {
  for (const it of items ?? []) {
    if (it?.fieldRef) it.fieldRef.apiVersion ??= 'v1';
    if (it?.resourceFieldRef) it.resourceFieldRef.divisor ??= '0';
  }
}

const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
];
export const podVolumeSources = volumeSources;

export function defaultVolume(v: any): void {
  if (!v || typeof v !== 'object') return;
  if (!volumeSources.some((k) => v[k] != null)) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= 420;
  if (v.configMap) v.configMap.defaultMode ??= 420;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= 420;
    defaultDownwardItems(v.downwardAPI.items);
  }
  if (v.projected) {
    v.projected.defaultMode ??= 420;
    for (const s of v.projected.sources ?? []) {
      if (s?.downwardAPI) defaultDownwardItems(s.downwardAPI.items);
      if (s?.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= 3600;
    }
  }
  if (v.hostPath) v.hostPath.type ??= '';
  if (v.iscsi) v.iscsi.iscsiInterface ??= 'default';
  if (v.rbd) {
    v.rbd.pool ??= 'rbd';
    v.rbd.user ??= 'admin';
    v.rbd.keyring ??= '/etc/ceph/keyring';
  }
  if (v.azureDisk) {
    v.azureDisk.cachingMode ??= 'ReadWrite';
    v.azureDisk.fsType ??= 'ext4';
    v.azureDisk.readOnly ??= false;
    v.azureDisk.kind ??= 'Shared';
  }
  if (v.scaleIO) {
    v.scaleIO.storageMode ??= 'ThinProvisioned';
    v.scaleIO.fsType ??= 'xfs';
  }
  if (v.ephemeral?.volumeClaimTemplate?.spec) defaultPVCSpec(v.ephemeral.volumeClaimTemplate.spec);
}

/** PersistentVolumeClaimSpec defaults (volumeMode Filesystem). */
export function defaultPVCSpec(spec: any): void {
  if (!spec) return;
  spec.volumeMode ??= 'Filesystem';
}

/** SetDefaults_PodSpec (+ containers, volumes): for pods and every pod template. */
export function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // v1 conversion keeps the deprecated serviceAccount in step with serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) {
    if (!c || typeof c !== 'object') continue;
    defaultContainer(c);
  }
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

/** SetDefaults_Pod on top of the spec's: requests from limits, enableServiceLinks, host ports. */
export function defaultPod(pod: any): void {
  const spec = (pod.spec ??= {});
  defaultPodSpec(spec);
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    if (!c || typeof c !== 'object') continue;
    const limits = c.resources?.limits;
    if (limits && typeof limits === 'object') {
      c.resources.requests ??= {};
      for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
    }
    if (spec.hostNetwork) for (const p of c.ports ?? []) if (p && p.hostPort == null) p.hostPort = p.containerPort;
  }
  spec.enableServiceLinks ??= true;
}

/** A PodTemplateSpec inside a workload (labels/annotations kept, spec defaulted). */
export function defaultPodTemplate(template: any): void {
  if (!template || typeof template !== 'object') return;
  defaultPodSpec((template.spec ??= {}));
}
