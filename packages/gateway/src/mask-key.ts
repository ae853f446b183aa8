/**
 * The key of the `hash` masking strategy. Hashes of the same value must stay equal across restarts (so
 * a masked customer id still joins up in logs and the audit trail), so without `mask.hash_key` the
 * gateway keeps a random key in `data_dir/mask-hash.key` (mode 0600), created on first start.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GatewayStartError } from './errors.js';

export function maskHashKey(dataDir: string, configured?: string): Buffer {
  if (configured !== undefined) return Buffer.from(configured, 'utf8');
  const path = join(dataDir, 'mask-hash.key');
  try {
    const text = readFileSync(path, 'utf8').trim();
    const key = Buffer.from(text, 'base64url');
    if (key.length >= 16) return key;
    throw new GatewayStartError(
      'ERR_GATEWAY_STATE',
      `${path} does not hold a mask hash key (32 random bytes, base64url): delete it to have a new one made`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another gateway on the same data_dir made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return maskHashKey(dataDir);
    throw err;
  }
  return key;
}
