import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from './keys.js';
import { AuditLog } from './log.js';
import { SqliteStore } from './sqlite-store.js';
import { describeStoreContract } from './store-contract.js';
import { actionEvent, tempDir } from './test-support.js';

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

/** A closed SQLite log file holding `count` action records of chain `gw`. */
async function writtenFile(count: number): Promise<string> {
  const path = join(tempDir(), 'audit.db');
  const writer = new SqliteStore({ path });
  await writer.init();
  const log = await AuditLog.open({
    store: writer,
    key: generateSigningKey(),
    instance: 'gw',
    checkpointIntervalMs: 0,
  });
  await Promise.all(Array.from({ length: count }, (_, i) => log.append(actionEvent(i))));
  await log.close();
  return path;
}

describe('SqliteStore free-text index', () => {
  it('finds every committed record by text, also from a store opened only to read, when the index lags', async () => {
    const path = await writtenFile(300);
    // Drop the index as if the gateway died before indexing in the background.
    const raw = new SqliteStore({ path });
    raw.db.exec("DELETE FROM audit_fts; DELETE FROM audit_meta WHERE key = 'fts_through'");
    await raw.close();
    const reader = new SqliteStore({ path });
    const found = await reader.search({ text: 'orders', limit: 1000 });
    expect(found.records.length).toBe(300);
    await reader.close();
  });
});

describe('SqliteStore read-only', () => {
  it('reads, verifies and searches a store opened read-only, and refuses to write to it', async () => {
    const path = await writtenFile(5);
    const reader = new SqliteStore({ path, readonly: true });
    expect((await reader.head('gw'))?.seq).toBe(5);
    expect((await reader.search({ text: 'orders' })).records).toHaveLength(5);
    await expect(reader.init()).rejects.toMatchObject({ code: 'ERR_AUDIT_STORE_UNAVAILABLE' });
    await expect(reader.append([])).rejects.toBeInstanceOf(Error);
    expect(() => reader.db.exec('DELETE FROM audit_records')).toThrow(/readonly/);
    await reader.close();
    expect(() => new SqliteStore({ path: join(tempDir(), 'missing.db'), readonly: true })).toThrow(
      expect.objectContaining({ code: 'ERR_AUDIT_STORE_UNAVAILABLE' }),
    );
  });
});
