import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from './log.js';
import { SqliteStore } from './sqlite-store.js';
import {
  actionEvent,
  mountTmpfs,
  openLog,
  sqlAction,
  TMPFS_NEEDS,
  tempDir,
  unmountTmpfs,
} from './test-support.js';
import { verifyChain } from './verify.js';

/**
 * Real faults: a tiny tmpfs that fills up, and a tmpfs remounted read-only. Mounting needs root, which
 * CI has (.ci/run runs as root); elsewhere these tests are reported as skipped, with the reason.
 */
afterAll(unmountTmpfs);
const canMount = mountTmpfs(64) !== undefined;
const why = TMPFS_NEEDS;

function bigEvent(i: number) {
  const filler = 'x'.repeat(4000);
  return actionEvent(i, {
    action: sqlAction(i, {
      sql: { text: `SELECT '${filler}${i}'`, statements: [{ type: 'select', tables: [], columns: [] }] },
    }),
  });
}

describe('the SQLite audit store when the disk fails', () => {
  it.skipIf(!canMount)(
    `rejects append() quickly with ERR_AUDIT_STORE_UNAVAILABLE when the disk is full (${why})`,
    async () => {
      const dir = mountTmpfs(512) as string;
      const { log } = await openLog({ path: join(dir, 'audit.db') });
      let failure: unknown;
      const started = Date.now();
      let written = 0;
      for (let i = 0; i < 2000 && failure === undefined; i++) {
        try {
          await log.append(bigEvent(i));
          written++;
        } catch (err) {
          failure = err;
        }
      }
      expect(written).toBeGreaterThan(0);
      expect(failure).toMatchObject({ code: 'ERR_AUDIT_STORE_UNAVAILABLE' });
      expect(String((failure as Error).message)).toMatch(/disk is full|SQLITE_FULL|SQLITE_IOERR/);
      expect(Date.now() - started).toBeLessThan(20_000);
      // Every append that failed left nothing behind: what is stored still verifies.
      const report = await verifyChain(log.store, 'gw-1');
      expect(report.problems).toEqual([]);
      expect(report.records).toBe(written);
      await log.close().catch(() => {});
    },
  );

  it.skipIf(!canMount)(
    `fails with ERR_AUDIT_STORE_UNAVAILABLE when the file system is read-only, and works again once it is writable (${why})`,
    async () => {
      const dir = mountTmpfs(8192) as string;
      const path = join(dir, 'audit.db');
      const first = await openLog({ path });
      const one = await first.log.append(actionEvent(1));
      await first.log.close();
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      const started = Date.now();
      let failure: unknown;
      try {
        const again = await openLog({ path });
        await again.log.append(actionEvent(2)).finally(() => again.log.close().catch(() => {}));
      } catch (err) {
        failure = err;
      }
      expect(failure).toMatchObject({ code: 'ERR_AUDIT_STORE_UNAVAILABLE' });
      expect(String((failure as Error).message)).toMatch(/cannot be written|read-only|readonly/i);
      expect(Date.now() - started).toBeLessThan(10_000);
      execFileSync('mount', ['-o', 'remount,rw', dir]);
      const writable = await openLog({ path });
      const two = await writable.log.append(actionEvent(2));
      expect(two).toMatchObject({ seq: 2, prev_hash: one.hash });
      await writable.log.close();
    },
  );
});

describe('the SQLite audit store when another process holds the write lock', () => {
  it('rejects append() with ERR_AUDIT_STORE_TIMEOUT at the log timeout instead of waiting', async () => {
    const path = join(tempDir(), 'audit.db');
    const warm = await openLog({ path, sqlite: { busyTimeoutMs: 10_000 } });
    // Started once with the default timeout: the writer thread's start is not what is measured here.
    await warm.log.append(actionEvent(1));
    await warm.log.close({ closeStore: false });
    const log = await AuditLog.open({
      store: warm.store,
      key: warm.key,
      instance: 'gw-1',
      timeoutMs: 300,
      checkpointIntervalMs: 0,
    });
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    const started = Date.now();
    await expect(log.append(actionEvent(2))).rejects.toMatchObject({ code: 'ERR_AUDIT_STORE_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
    other.exec('ROLLBACK');
    other.close();
    // The timed-out commit may still land once the lock is released; the log re-reads its head, so
    // the chain has no fork or gap either way.
    const next = await log.append(actionEvent(3));
    expect(next.seq).toBeGreaterThanOrEqual(2);
    const report = await verifyChain(log.store, 'gw-1');
    expect(report.problems).toEqual([]);
    await log.close();
  });

  it('fails to open with ERR_AUDIT_STORE_UNAVAILABLE when the path is a directory', async () => {
    const dir = tempDir();
    expect(() => new SqliteStore({ path: dir })).toThrow(
      expect.objectContaining({ code: 'ERR_AUDIT_STORE_UNAVAILABLE' }),
    );
  });
});
