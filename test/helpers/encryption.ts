// An EncryptionConfiguration for secrets: aesgcm with the given keys (the first encrypts), then
// identity (reads values written before encryption was on). Shared by the encryption tests.
export function aesgcmSecretsConfig(...keys: Array<[name: string, secret: string]>): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aesgcm:
      keys:
${keys.map(([n, s]) => `      - {name: ${n}, secret: ${s}}`).join('\n')}
  - identity: {}
`;
}
