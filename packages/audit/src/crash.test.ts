import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crashLoop } from './crash-runner.js';
import { SqliteStore } from './sqlite-store.js';
import { tempDir } from './test-support.js';

describe('the SQLite audit log under kill -9', () => {
  it('keeps every append that resolved, and a chain that verifies, after each of many kills', async () => {
    const db = join(tempDir('regate-crash-'), 'audit.db');
    const kills = 12;
    const appended = await crashLoop(db, async () => new SqliteStore({ path: db }), kills);
    expect(appended).toBeGreaterThan(kills * 10);
  }, 120_000);
});
