// RE2 patterns (what Kubernetes' CEL matches/find/findAll take) as JavaScript RegExps: leading
// inline flag groups such as `(?i)` or `(?is)` become RegExp flags, `\z` becomes `$`, and
// `(?P<name>` becomes `(?<name>`; everything else is passed through (the common syntax is shared).
import { celError } from './values.js';

const cache = new Map<string, RegExp>();

export function re2(pattern: string, global = false): RegExp {
  const key = (global ? 'g' : '') + pattern;
  const hit = cache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  let flags = global ? 'gu' : 'u';
  let src = pattern;
  const m = /^\(\?([imsU]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    for (const f of m[1]) if (f === 'i' || f === 'm' || f === 's') flags += f;
  }
  src = src.replace(/\\z/g, '$').replace(/\(\?P</g, '(?<');
  let re: RegExp;
  try {
    re = new RegExp(src, flags);
  } catch {
    try {
      re = new RegExp(src, flags.replace('u', ''));
    } catch (e) {
      throw celError(`invalid regular expression: ${pattern}: ${(e as Error).message}`);
    }
  }
  if (cache.size > 1000) cache.clear();
  cache.set(key, re);
  return re;
}
