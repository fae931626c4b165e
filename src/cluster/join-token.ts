// The join token `keelson server` keeps, as k3s keeps its node token in the server's data dir:
// <data-dir>/token (mode 0600) holds a bootstrap token "<id>.<secret>" made on the first start
// (bootstrap-tokens.ts, the code of `keelson token create`) and reused on every later start; its
// kube-system Secret bootstrap-token-<id> never expires and is (re)created whenever it is missing,
// so the file stays the authority. Rotating = deleting the file (and the Secret) and restarting.
// Diverges from k3s: the token is a kubeadm bootstrap token, not k3s' "K10<ca-hash>::server:..."
// form; the CA pin travels separately as --ca-cert-hash, as with `kubeadm join`.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlreadyExists, isNotFound, type RestClient } from '../client/rest-client.js';
import { generateToken, tokenSecret, TOKEN_RE } from './bootstrap-tokens.js';

export const JOIN_TOKEN_DESCRIPTION = 'keelson server join token (<data-dir>/token)';

/** The path of the server's join token. */
export const joinTokenPath = (dataDir: string): string => join(dataDir, 'token');

/** Reads <data-dir>/token, or makes and writes a new one; then makes sure its Secret exists. */
export async function ensureJoinToken(client: RestClient, dataDir: string): Promise<string> {
  const path = joinTokenPath(dataDir);
  let token = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  if (!TOKEN_RE.test(token)) {
    token = generateToken();
    writeFileSync(path, `${token}\n`, { mode: 0o600 });
  }
  chmodSync(path, 0o600);
  const id = TOKEN_RE.exec(token)![1];
  const secret = tokenSecret({ token, ttlSeconds: 0, description: JOIN_TOKEN_DESCRIPTION });
  try {
    await client.get(`/api/v1/namespaces/kube-system/secrets/bootstrap-token-${id}`);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await client.post('/api/v1/namespaces/kube-system/secrets', secret).catch((err) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }
  return token;
}
