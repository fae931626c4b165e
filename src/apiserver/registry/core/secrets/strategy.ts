// Secret (core/v1 secrets): type Opaque by default, stringData folded into data (as the v1
// conversion does), key and size rules, type-specific required keys, immutable type and
// immutable secrets; NAME TYPE DATA AGE; field selector `type`.
import { defineStrategy } from '../../define.js';
import { type FieldErrorList, invalid, required, tooLong } from '../../../../api/field-errors.js';
import { isConfigMapKey } from '../../../../api/validation/names.js';
import { validateImmutableField } from '../../../../api/validation/object-meta.js';
import { table, ageColumn, col, age } from '../../printers/columns.js';
import { MaxSecretSize, validateImmutableData } from '../configmaps/strategy.js';

const base64Re = /^[A-Za-z0-9+/]*={0,2}$/;

export function validateSecret(s: any): FieldErrorList {
  const errs: FieldErrorList = [];
  const data: Record<string, unknown> = s.data ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`data[${k}]`, k, m));
    if (typeof v !== 'string' || v.length % 4 === 1 || !base64Re.test(v)) errs.push(invalid(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
    else total += Buffer.from(v, 'base64').length;
  }
  if (total > MaxSecretSize) errs.push(tooLong('data', '', MaxSecretSize));
  const has = (k: string) => k in data;
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      if (!s.metadata?.annotations?.['kubernetes.io/service-account.name']) errs.push(required('metadata.annotations[kubernetes.io/service-account.name]', ''));
      break;
    case 'kubernetes.io/dockercfg':
      if (!has('.dockercfg')) errs.push(required('data[.dockercfg]', ''));
      else if (!isJSON(data['.dockercfg'])) errs.push(invalid('data[.dockercfg]', '<secret contents redacted>', 'invalid JSON'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has('.dockerconfigjson')) errs.push(required('data[.dockerconfigjson]', ''));
      else if (!isJSON(data['.dockerconfigjson'])) errs.push(invalid('data[.dockerconfigjson]', '<secret contents redacted>', 'invalid JSON'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(required('data[username]', ''));
        errs.push(required('data[password]', ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!has('ssh-privatekey')) errs.push(required('data[ssh-privatekey]', ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.key')) errs.push(required('data[tls.key]', ''));
      if (!has('tls.crt')) errs.push(required('data[tls.crt]', ''));
      break;
  }
  return errs;
}

function isJSON(b64: unknown): boolean {
  try {
    JSON.parse(Buffer.from(String(b64), 'base64').toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

export const strategy = defineStrategy({
  info: {
    group: '',
    version: 'v1',
    kind: 'Secret',
    listKind: 'SecretList',
    resource: 'secrets',
    singular: 'secret',
    namespaced: true,
  },
  defaults(s) {
    s.type ||= 'Opaque';
    if (s.stringData && typeof s.stringData === 'object') {
      s.data ??= {};
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete s.stringData;
    }
  },
  validate: validateSecret,
  validateUpdate: (s, old) => [...validateImmutableField(s.type, old.type, 'type'), ...validateImmutableData(s, old, ['data'])],
  table: table([col('Type', 'string', 'The type of the secret'), col('Data', 'string', 'The number of entries in Data'), ageColumn], (s, now) => [s.type ?? '', Object.keys(s.data ?? {}).length, age(s, now)]),
  fieldSelectors: { type: (s) => s.type ?? '' },
});
