/**
 * What makes a retried request "the same request" for async approvals: method, target, raw path, raw
 * query and a SHA-256 of the body. Headers are left out (clients change Date, tracing ids, the token);
 * the identity is checked separately.
 */
import { createHash } from 'node:crypto';

export interface FingerprintParts {
  method: string;
  target: string;
  path: string;
  query: string | undefined;
  /** SHA-256 of the body, hex. */
  bodySha256: string;
}

export function requestFingerprint(p: FingerprintParts): string {
  return createHash('sha256')
    .update(JSON.stringify([p.method, p.target, p.path, p.query ?? null, p.bodySha256]))
    .digest('hex');
}
