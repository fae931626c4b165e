// HPACK's static table (RFC 7541 Appendix A): indexes 1-61, each a name and an (often empty) value.

const NAMES_WITH_VALUES: Array<[string, string]> = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
];

const NAMES_ONLY = [
  'accept-language', 'accept-ranges', 'accept', 'access-control-allow-origin', 'age', 'allow', 'authorization',
  'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-length',
  'content-location', 'content-range', 'content-type', 'cookie', 'date', 'etag', 'expect', 'expires', 'from',
  'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
  'link', 'location', 'max-forwards', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'refresh',
  'retry-after', 'server', 'set-cookie', 'strict-transport-security', 'transfer-encoding', 'user-agent', 'vary',
  'via', 'www-authenticate',
];

/** Entry i (1-based) is STATIC_TABLE[i - 1]. */
export const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [...NAMES_WITH_VALUES, ...NAMES_ONLY.map((n) => [n, ''] as [string, string])];

if (STATIC_TABLE.length !== 61) throw new Error('HPACK static table: expected 61 entries');

/** The lowest static index of a name, and of a name with its value (for an encoder). */
export const STATIC_NAME_INDEX = new Map<string, number>();
export const STATIC_FIELD_INDEX = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  if (!STATIC_NAME_INDEX.has(name)) STATIC_NAME_INDEX.set(name, i + 1);
  STATIC_FIELD_INDEX.set(`${name}\0${value}`, i + 1);
});
