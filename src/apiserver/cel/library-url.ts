// Kubernetes' CEL URL library (k8s.io/apiserver/pkg/cel/library/urls.go): url(s) parses as Go's
// url.ParseRequestURI (an absolute URI or an absolute path), isURL(s), and getScheme, getHost,
// getHostname, getPort, getEscapedPath, getQuery on the result. Values are kept as written
// (no WHATWG normalisation), as Go's net/url does.
import type { Environment } from '@marcbachmann/cel-js';
import { celError } from './values.js';

export class CelURL {
  readonly celType = 'kubernetes.URL';
  constructor(
    readonly raw: string,
    readonly scheme: string,
    readonly host: string,
    readonly path: string,
    readonly query: string,
  ) {}
  equals(o: unknown): boolean {
    return o instanceof CelURL && o.raw === this.raw;
  }
  toString(): string {
    return this.raw;
  }
}

/** url.ParseRequestURI; undefined when it would fail. */
export function parseRequestURI(s: string): CelURL | undefined {
  if (!s || /\s/.test(s) || [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  let scheme = '';
  let rest = s;
  if (!s.startsWith('/')) {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(s);
    if (!m) return undefined;
    scheme = m[1].toLowerCase();
    rest = m[2];
  }
  const q = rest.indexOf('?');
  const query = q >= 0 ? rest.slice(q + 1) : '';
  rest = q >= 0 ? rest.slice(0, q) : rest;
  let host = '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
    rest = slash >= 0 ? rest.slice(slash) : '';
    host = authority.slice(authority.lastIndexOf('@') + 1);
    if (host.startsWith('[') && !/^\[[0-9a-fA-F:.]+(%[^\]]*)?\](:\d*)?$/.test(host)) return undefined;
    if (!host.startsWith('[') && !/^[^:]*(:\d*)?$/.test(host)) return undefined;
  } else if (scheme && !rest.startsWith('/')) {
    // An opaque URI (mailto:x): Go keeps it as Opaque with an empty path.
    return new CelURL(s, scheme, '', '', query);
  }
  return new CelURL(s, scheme, host, rest, query);
}

function hostname(u: CelURL): string {
  const h = u.host;
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const c = h.lastIndexOf(':');
  return c >= 0 ? h.slice(0, c) : h;
}

function port(u: CelURL): string {
  const h = u.host;
  const end = h.startsWith('[') ? h.indexOf(']') + 1 : 0;
  const c = h.indexOf(':', end);
  return c >= 0 ? h.slice(c + 1) : '';
}

function queryMap(u: CelURL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!u.query) return out;
  for (const part of u.query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const dec = (x: string) => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '));
      } catch {
        return x;
      }
    };
    const k = dec(eq >= 0 ? part.slice(0, eq) : part);
    (out[k] ??= []).push(dec(eq >= 0 ? part.slice(eq + 1) : ''));
  }
  return out;
}

const T = 'kubernetes.URL';

export function registerUrlLibrary(env: Environment): void {
  env.registerType(T, CelURL);
  env.registerFunction(`url(string): ${T}`, (s: string) => {
    const u = parseRequestURI(s);
    if (!u) throw celError(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`);
    return u;
  });
  env.registerFunction('isURL(string): bool', (s: string) => parseRequestURI(s) !== undefined);
  env.registerFunction(`${T}.getScheme(): string`, (u: CelURL) => u.scheme);
  env.registerFunction(`${T}.getHost(): string`, (u: CelURL) => u.host);
  env.registerFunction(`${T}.getHostname(): string`, hostname);
  env.registerFunction(`${T}.getPort(): string`, port);
  env.registerFunction(`${T}.getEscapedPath(): string`, (u: CelURL) => u.path);
  env.registerFunction(`${T}.getQuery(): map<string, list<string>>`, queryMap);
  env.registerOperator(`${T} == ${T}`, (a: CelURL, b: CelURL) => a.equals(b));
}
