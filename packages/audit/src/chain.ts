/**
 * The hash chain: `hash = sha256(prev_hash ‖ body)`, hex, where `body` is the canonical JSON of the
 * record without `prev_hash` and `hash` (canonical.ts) and `prev_hash` is the previous record's hash as
 * 64 lower-case hex characters. The first record of a chain follows GENESIS_HASH.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export function chainHash(prevHash: string, body: string): string {
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}
