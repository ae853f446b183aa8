import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { describeStoreContract } from './store-contract.js';
import { tempDir } from './test-support.js';

describeStoreContract('SqliteStore (file, writer thread)', async () => {
  const store = new SqliteStore({ path: join(tempDir(), 'audit.db') });
  await store.init();
  return store;
});

describeStoreContract('SqliteStore (:memory:, inline writer)', async () => {
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  return store;
});

describe('SqliteStore options', () => {
  it('refuses an unknown durability or an empty path with ERR_AUDIT_INVALID_CONFIG', () => {
    expect(() => new SqliteStore({ path: '', durability: 'process' })).toThrow(
      expect.objectContaining({ code: 'ERR_AUDIT_INVALID_CONFIG' }),
    );
    expect(() => new SqliteStore({ path: ':memory:', durability: 'fast' as never })).toThrow(
      /durability must be one of process, strict/,
    );
  });

  it('sets synchronous FULL for strict durability and NORMAL for process', async () => {
    const strict = new SqliteStore({ path: join(tempDir(), 'a.db'), durability: 'strict' });
    const process = new SqliteStore({ path: join(tempDir(), 'b.db') });
    expect(strict.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(process.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(process.db.pragma('journal_mode', { simple: true })).toBe('wal');
    await strict.close();
    await process.close();
  });
});
