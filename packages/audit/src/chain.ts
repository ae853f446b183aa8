/**
 * The hash chain: `hash = sha256(prev_hash ‖ body)`, hex, where `body` is the canonical JSON of the
 * record without `prev_hash` and `hash` (canonical.ts) and `prev_hash` is the previous record's hash as
 * 64 lower-case hex characters. The first record of a chain follows GENESIS_HASH.
 */
import * as crypto from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

// crypto.hash (Node 20.12+) hashes in one call, without a Hash object per record: verify and the
// append path hash every record.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function chainHash(prevHash: string, body: string): string {
  return oneShot
    ? oneShot('sha256', prevHash + body, 'hex')
    : crypto.createHash('sha256').update(prevHash).update(body).digest('hex');
}
