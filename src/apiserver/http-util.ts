// Writing responses and reading bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, requestEntityTooLarge, toApiError } from './status.js';

export const maxRequestBytes = 3 * 1024 * 1024;

export function writeJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): void {
  // Encoded to UTF-8 once: Buffer.byteLength and then end(string) walked the text twice (for a
  // 10,000-pod list, ~10 MB, the length alone was ~1.4% of the apiserver's CPU in a list bench).
  const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', ...headers, 'Content-Length': data.length });
  res.end(data);
}

export function writeError(res: ServerResponse, err: unknown): ApiError {
  const e = toApiError(err);
  if (res.headersSent) {
    res.destroy();
    return e;
  }
  writeJson(res, e.code, e.toStatus(), e.headers ?? {});
  return e;
}

/** Read the whole body, failing with 413 above `limit` bytes. */
export function readBody(req: IncomingMessage, limit = maxRequestBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > limit) {
      req.resume();
      reject(requestEntityTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(requestEntityTooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

/** Warning headers as Kubernetes sends them: `299 - "message"`. */
export function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (!warnings.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

export function setWarnings(res: ServerResponse, warnings: string[]): void {
  if (warnings.length && !res.headersSent) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

export { ApiError };
