// The static token file (`--token-auth-file`), kube's CSV format: one line per token,
//   token,user,uid[,"group1,group2,..."]
// Blank lines and lines starting with '#' are skipped; a malformed line stops the apiserver with
// its line number. Read once at start, as kube-apiserver does.
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../../apiserver/filters/pipeline.js';
import type { TokenAuthenticator } from './bearer.js';

/** Split one CSV record, honouring double quotes ("" inside quotes is a quote). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw new Error('unterminated quote');
  out.push(cur);
  return out;
}

export function parseTokenFile(text: string, source = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    let rec: string[];
    try {
      rec = parseCsvLine(line).map((s) => s.trim());
    } catch (e) {
      throw new Error(`${source}, line ${i + 1}: ${(e as Error).message}`, { cause: e });
    }
    if (rec.length < 3 || !rec[0] || !rec[1]) throw new Error(`${source}, line ${i + 1}: expected token,user,uid[,"groups"], got ${rec.length} columns`);
    const groups = rec.length > 3 ? rec.slice(3).join(',').split(',').map((g) => g.trim()).filter(Boolean) : [];
    tokens.set(rec[0], { name: rec[1], uid: rec[2] || undefined, groups });
  });
  return tokens;
}

export function tokenFileAuthenticator(path: string): TokenAuthenticator {
  const tokens = parseTokenFile(readFileSync(path, 'utf8'), path);
  const entries = [...tokens.entries()].map(([t, u]) => [Buffer.from(t), u] as const);
  return {
    authenticateToken(token) {
      const b = Buffer.from(token);
      for (const [t, u] of entries) if (t.length === b.length && timingSafeEqual(t, b)) return { ...u, groups: [...u.groups] };
      return undefined;
    },
  };
}
