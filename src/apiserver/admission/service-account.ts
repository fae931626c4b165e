// ServiceAccount admission (kube's plugin of that name), on pod create: the pod runs as
// spec.serviceAccountName (default "default"), which must exist; its imagePullSecrets are copied
// when the pod names none; and unless automountServiceAccountToken is false (pod first, then
// the ServiceAccount) the pod gets the projected `kube-api-access-<5 random>` volume (a bound
// token valid 3607 s, the kube-root-ca.crt ConfigMap's ca.crt, the namespace from the downward
// API) mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container
// and init container that does not already mount something there. Mirror pods may not use
// service accounts, secrets or configmaps.
// Divergence: when the pod uses the implicit "default" ServiceAccount and it does not exist
// (an apiserver running without the serviceaccount controller) the pod is admitted without the
// token volume instead of being refused after retries; a named ServiceAccount that is missing is
// refused as kube refuses it.
import { randomInt } from 'node:crypto';
import type { AdmissionPlugin } from '../filters/pipeline.js';
import type { Resources } from '../resources.js';
import type { KObject } from '../registry/strategy.js';
import { admissionForbidden, getObject, isResource } from './lookup.js';

export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const mirrorAnnotation = 'kubernetes.io/config.mirror';
// utilrand.String's alphabet: no vowels, no confusable digits.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** The projected token volume kube adds (TokenVolumeSource with the default 3607 s expiry). */
export function tokenVolume(name: string): KObject {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

function containers(spec: KObject): KObject[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

function mirrorChecks(pod: KObject): string | undefined {
  const spec = pod.spec ?? {};
  if (spec.serviceAccountName) return 'a mirror pod may not reference service accounts';
  for (const v of spec.volumes ?? []) {
    if (v.secret) return `volume ${v.name} has secret and a mirror pod may not reference secrets`;
    if (v.configMap) return `volume ${v.name} has configMap and a mirror pod may not reference configmaps`;
    if (v.projected) return `volume ${v.name} has projected and a mirror pod may not reference projected volumes`;
  }
  return undefined;
}

export function serviceAccount(resources: Resources): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async admit(a) {
      if (a.operation !== 'CREATE' || !isResource(a, '', 'pods') || !a.object) return;
      const pod = a.object;
      pod.spec ??= {};
      const spec = pod.spec;
      if (pod.metadata?.annotations?.[mirrorAnnotation] !== undefined) {
        const why = mirrorChecks(pod);
        if (why) throw admissionForbidden(a, why);
        return;
      }
      if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
      const implicit = !spec.serviceAccountName;
      const name: string = spec.serviceAccountName || 'default';
      const ns = a.info.namespace;
      const sa = await getObject(resources, ['', 'v1', 'serviceaccounts'], ns, name);
      if (!sa && !implicit && name !== 'default') throw admissionForbidden(a, `error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`);
      spec.serviceAccountName = name;
      spec.serviceAccount = name;
      if (!sa) return; // keelson: admitted without a token (see header)
      if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s: KObject) => ({ name: s.name }));
      const mount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
      if (!mount) return;
      // A container that already mounts something at the token path keeps its own mount.
      const needs = containers(spec).filter((c) => !(c.volumeMounts ?? []).some((m: KObject) => m.mountPath === serviceAccountMountPath));
      if (!needs.length) return;
      spec.volumes ??= [];
      const taken = new Set<string>(spec.volumes.map((v: KObject) => v.name));
      let volName = `kube-api-access-${randomSuffix()}`;
      while (taken.has(volName)) volName = `kube-api-access-${randomSuffix()}`;
      spec.volumes.push(tokenVolume(volName));
      for (const c of needs) (c.volumeMounts ??= []).push({ name: volName, readOnly: true, mountPath: serviceAccountMountPath });
    },
  };
}
