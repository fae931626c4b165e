// The admission chain: kube-apiserver's plugins in kube's fixed order (AllOrderedPlugins), the
// default-enabled ones on unless --disable-admission-plugins names them, the default-off ones
// only when --enable-admission-plugins does. All mutating admits run before all validations
// (filters/pipeline.ts). Before the chain, pods and claims get their kind's defaults, as kube's
// decoding does before admission.
// Divergences: NodeRestriction is on by default (kube enables it in kubeadm clusters);
// TaintNodesByCondition and the certificate plugins are known names that do
// nothing yet (their controllers are missing here); the other kube
// plugin names without a factory below are accepted and do nothing either.
import type { AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { limitRanger } from './limit-ranger.js';
import { serviceAccount } from './service-account.js';
import { nodeRestriction } from './node-restriction.js';
import { podSecurity } from './pod-security.js';
import { priority } from './priority.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { defaultIngressClass, defaultStorageClass } from './default-class.js';
import { runtimeClass } from './runtime-class.js';
import { pvcResize } from './pvc-resize.js';
import { storageObjectInUseProtection } from './storage-object-in-use-protection.js';
import { mutatingWebhook, validatingWebhook } from './webhook.js';
import { resourceQuota } from './resource-quota.js';
import { validatingAdmissionPolicy } from './validating-admission-policy.js';
import { alwaysDeny, alwaysPullImages } from './simple.js';
import { isResource } from './lookup.js';
import { parsePodSecurityConfig } from './pod-security-policy.js';
import { readAdmissionConfig } from './admission-config.js';

/** A plugin from the served resources and its entry in --admission-control-config-file, if any. */
type Factory = (resources: Resources, config?: unknown) => AdmissionPlugin | undefined;

/** Every plugin name kube-apiserver knows, in its order; undefined factory = known, not implemented. */
const ordered: Array<[string, Factory | undefined]> = [
  ['AlwaysAdmit', () => undefined],
  ['NamespaceAutoProvision', undefined],
  ['NamespaceLifecycle', namespaceLifecycle],
  ['NamespaceExists', undefined],
  ['LimitPodHardAntiAffinityTopology', undefined],
  ['LimitRanger', limitRanger],
  ['ServiceAccount', serviceAccount],
  ['NodeRestriction', nodeRestriction],
  ['TaintNodesByCondition', undefined],
  ['AlwaysPullImages', () => alwaysPullImages()],
  ['ImagePolicyWebhook', undefined],
  ['PodSecurity', (r, config) => podSecurity(r, config === undefined ? undefined : parsePodSecurityConfig(config))],
  ['PodNodeSelector', undefined],
  ['Priority', priority],
  ['DefaultTolerationSeconds', () => defaultTolerationSeconds()],
  ['PodTolerationRestriction', undefined],
  ['EventRateLimit', undefined],
  ['ExtendedResourceToleration', undefined],
  ['DefaultStorageClass', defaultStorageClass],
  ['StorageObjectInUseProtection', () => storageObjectInUseProtection()],
  ['OwnerReferencesPermissionEnforcement', undefined],
  ['PersistentVolumeClaimResize', pvcResize],
  ['RuntimeClass', runtimeClass],
  ['CertificateApproval', undefined],
  ['CertificateSigning', undefined],
  ['ClusterTrustBundleAttest', undefined],
  ['CertificateSubjectRestriction', undefined],
  ['DefaultIngressClass', defaultIngressClass],
  ['DenyServiceExternalIPs', undefined],
  ['PodTopologyLabels', undefined],
  ['MutatingAdmissionWebhook', mutatingWebhook],
  ['ValidatingAdmissionPolicy', validatingAdmissionPolicy],
  ['ValidatingAdmissionWebhook', validatingWebhook],
  ['ResourceQuota', resourceQuota],
  ['AlwaysDeny', () => alwaysDeny()],
];

/** On unless disabled (kube's default set, plus NodeRestriction). */
export const defaultOnPlugins = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'NodeRestriction',
  'TaintNodesByCondition',
  'PodSecurity',
  'Priority',
  'DefaultTolerationSeconds',
  'DefaultStorageClass',
  'StorageObjectInUseProtection',
  'PersistentVolumeClaimResize',
  'RuntimeClass',
  'CertificateApproval',
  'CertificateSigning',
  'ClusterTrustBundleAttest',
  'CertificateSubjectRestriction',
  'DefaultIngressClass',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
  'ResourceQuota',
];

export const knownPlugins = ordered.map(([n]) => n);

/** The names that end up enabled, in kube's order; throws for an unknown name. */
export function enabledPlugins(enable: string[] = [], disable: string[] = []): string[] {
  for (const [flag, names] of [['enable-admission-plugins', enable], ['disable-admission-plugins', disable]] as const)
    for (const n of names) if (!knownPlugins.includes(n)) throw new Error(`${flag} plugin "${n}" is unknown`);
  const on = new Set([...defaultOnPlugins, ...enable]);
  for (const n of disable) on.delete(n);
  return knownPlugins.filter((n) => on.has(n));
}

/** Kind defaults applied before admission for the kinds the plugins read (kube defaults on decode). */
function decodeDefaults(resources: Resources): AdmissionPlugin {
  return {
    name: 'keelson:Defaulting',
    admit(a) {
      if (!a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      if (!isResource(a, '', 'pods') && !isResource(a, '', 'persistentvolumeclaims')) return;
      resources.storeFor('', a.info.resource)?.strategy.defaults?.(a.object);
    },
  };
}

export function admissionChain(resources: Resources, opts: { enable?: string[]; disable?: string[]; configFile?: string } = {}): AdmissionPlugin[] {
  const chain: AdmissionPlugin[] = [decodeDefaults(resources)];
  const configs = opts.configFile ? readAdmissionConfig(opts.configFile) : {};
  for (const name of enabledPlugins(opts.enable, opts.disable)) {
    let p: AdmissionPlugin | undefined;
    try {
      p = ordered.find(([n]) => n === name)![1]?.(resources, configs[name]);
    } catch (e) {
      throw new Error(`failed to initialize admission: couldn't init admission plugin "${name}": ${(e as Error).message}`, { cause: e });
    }
    if (p) chain.push(p);
  }
  return chain;
}
