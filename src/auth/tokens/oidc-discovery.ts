// Service account issuer discovery (kube's ServiceAccountIssuerDiscovery): the OpenID Connect
// discovery document at /.well-known/openid-configuration and the verifying keys as a JWK set
// at /openid/v1/jwks, so relying parties outside the cluster can verify service account
// tokens. Served only when the issuer is an https URL, as kube. RBAC lets service accounts read
// them (system:service-account-issuer-discovery). jwks_uri points at this apiserver (kube's
// default when --service-account-jwks-uri is not given). Keelson's keys are usually EC (ES256).
import { exportJWK } from 'jose';
import type { Resources } from '../../apiserver/resources.js';
import { apiServerTokens } from './registry.js';

export const OIDC_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

export interface DiscoveryResponse {
  headers: Record<string, string>;
  body: string;
}

/** The response for a discovery path, or undefined when the path is not one (or discovery is off). */
export async function issuerDiscovery(resources: Resources, path: string, serverAddress: string): Promise<DiscoveryResponse | undefined> {
  const p = path.endsWith('/') ? path.slice(0, -1) : path;
  if (p !== OIDC_CONFIG_PATH && p !== JWKS_PATH) return undefined;
  const t = apiServerTokens(resources);
  if (!t || !t.issuer.startsWith('https://')) return undefined;
  const keys = t.verifyingKeys();
  const headers = { 'Cache-Control': 'public, max-age=3600' };
  if (p === OIDC_CONFIG_PATH) {
    const doc = {
      issuer: t.issuer,
      jwks_uri: `https://${serverAddress}${JWKS_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...new Set(keys.map((k) => k.alg))].sort(),
    };
    return { headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(doc) };
  }
  const jwks = { keys: await Promise.all(keys.map(async (k) => ({ use: 'sig', ...(await exportJWK(k.key)), kid: k.kid, alg: k.alg }))) };
  return { headers: { ...headers, 'Content-Type': 'application/jwk-set+json' }, body: JSON.stringify(jwks) };
}
