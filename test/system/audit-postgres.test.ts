/**
 * The PostgreSQL audit store against a real server (Debian's). `scripts/ci-postgres.sh` starts a
 * throwaway cluster and prints REGATE_PG_URL, REGATE_PG_DATA and REGATE_PG_CTL; without REGATE_PG_URL
 * these tests are skipped, and fail instead when REGATE_REQUIRE_SYSTEM is set (CI sets it, so a missing
 * server is never mistaken for a pass).
 *
 * The fault tests stop the server: run this file on its own, not in parallel with other files that use
 * the same server.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  AuditError,
  AuditLog,
  generateSigningKey,
  PostgresStore,
  pgClient,
  verifyChain,
} from '@regate/audit';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { at, chain, describePostgresStore } from './audit-postgres-suite.js';

const url = process.env.REGATE_PG_URL;
const pgCtl = process.env.REGATE_PG_CTL;
const HOW = 'start a server with `export $(scripts/ci-postgres.sh)` and run `npm run test:system`';

if (!url) {
  describe('PostgresStore on a PostgreSQL server', () => {
    if (process.env.REGATE_REQUIRE_SYSTEM)
      it('needs REGATE_PG_URL', () => {
        throw new Error(`REGATE_PG_URL is not set but REGATE_REQUIRE_SYSTEM is: ${HOW}`);
      });
    else {
      console.warn(`test/system/audit-postgres.test.ts skipped: REGATE_PG_URL is not set (${HOW})`);
      it.skip(`skipped: REGATE_PG_URL is not set (${HOW})`, () => {});
    }
  });
} else {
  const schemas: string[] = [];

  /** Runs SQL on a connection of its own (the fault tests stop the server, which kills open ones). */
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  /** A URL whose connections use a new, empty schema of their own, so every run starts clean. */
  const freshSchema = async (): Promise<string> => {
    const name = `audit_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE SCHEMA ${name}`);
    schemas.push(name);
    return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}`;
  };

  afterAll(async () => {
    for (const name of schemas) await admin(`DROP SCHEMA ${name} CASCADE`);
  });

  describePostgresStore('PostgresStore on a PostgreSQL server', async () => pgClient(await freshSchema()));

  describe('PostgresStore on a PostgreSQL server, with several gateways', () => {
    it('creates the schema once when four gateways start at the same time', async () => {
      const schemaUrl = await freshSchema();
      const stores = Array.from({ length: 4 }, () => new PostgresStore({ client: pgClient(schemaUrl) }));
      try {
        await Promise.all(stores.map((s) => s.init()));
        await Promise.all(
          stores.map((s, i) => s.append(chain(`gw-${i}`, [{ type: 'admin', operation: 'x', time: at(i) }]))),
        );
        expect(await stores[0]!.instances()).toEqual(['gw-0', 'gw-1', 'gw-2', 'gw-3']);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('rejects with ERR_AUDIT_STORE_TIMEOUT when a statement waits longer than the statement timeout', async () => {
      const schemaUrl = await freshSchema();
      const store = new PostgresStore({ client: pgClient(schemaUrl, { statementTimeoutMs: 300 }) });
      const blocker = new pg.Client({ connectionString: schemaUrl });
      await store.init();
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE audit_records IN ACCESS EXCLUSIVE MODE');
        const started = performance.now();
        const err = await store
          .append(chain('gw-a', [{ type: 'admin', operation: 'x', time: at(1) }]))
          .catch((e) => e);
        const ms = performance.now() - started;
        expect(err).toBeInstanceOf(AuditError);
        expect(err.code).toBe('ERR_AUDIT_STORE_TIMEOUT');
        expect(ms).toBeLessThan(2000);
        console.log(
          `statement timeout (300 ms) on a locked table: append rejected after ${ms.toFixed(0)} ms`,
        );
      } finally {
        await blocker.end();
        await store.close();
      }
    });

    it('rejects with ERR_AUDIT_STORE_TIMEOUT when the server stops answering on an open connection', async (ctx) => {
      const schemaUrl = await freshSchema();
      // One connection, so the frozen backend is the one the next statement uses.
      const store = new PostgresStore({ client: pgClient(schemaUrl, { statementTimeoutMs: 300, max: 1 }) });
      const key = generateSigningKey();
      const log = await AuditLog.open({ store, instance: 'gw-frozen', key, checkpointIntervalMs: 0 });
      await log.append({ type: 'admin', operation: 'before' });
      const pid = Number((await store.client.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      try {
        process.kill(pid, 'SIGSTOP');
      } catch (err) {
        await log.close();
        ctx.skip(`cannot stop the server's backend process ${pid} (${(err as Error).message}): run as root`);
      }
      try {
        const started = performance.now();
        const err = await log.append({ type: 'admin', operation: 'frozen' }).catch((e) => e);
        const ms = performance.now() - started;
        expect(err).toBeInstanceOf(AuditError);
        expect(err.code).toBe('ERR_AUDIT_STORE_TIMEOUT');
        expect(ms).toBeLessThan(3000);
        console.log(
          `frozen backend (SIGSTOP): append rejected after ${ms.toFixed(0)} ms (query timeout 1,300 ms)`,
        );
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      // The client gave the connection up, but the INSERT was already sent: once resumed, the backend
      // may still commit it before it reads the goodbye. Wait for it to finish, then the log must carry
      // on from whatever the store holds.
      await vi.waitFor(
        async () => {
          const { rows } = await store.client.query(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1',
            [pid],
          );
          expect(Number(rows[0]!.n)).toBe(0);
        },
        { timeout: 10_000, interval: 50 },
      );
      const next = await log.append({ type: 'admin', operation: 'after' });
      console.log(
        `frozen backend: the timed-out record ${next.seq === 3 ? 'was' : 'was not'} committed after all`,
      );
      expect([2, 3]).toContain(next.seq);
      await log.close({ closeStore: false });
      const report = await verifyChain(store, 'gw-frozen', { publicKeys: [key.publicKey] });
      expect(report).toMatchObject({ ok: true, records: next.seq });
      await store.close();
    });
  });

  describe.skipIf(!pgCtl)('PostgresStore when the PostgreSQL server stops', () => {
    const ctl = (...args: string[]) => execFileSync(pgCtl!, args, { stdio: ['ignore', 'ignore', 'inherit'] });

    it('makes AuditLog.append() reject quickly while the server is down, and works again once it is back', async () => {
      const schemaUrl = await freshSchema();
      const background: Error[] = [];
      const client = pgClient(schemaUrl, { onError: (err) => background.push(err) });
      // strict: an immediate shutdown is a server crash, which may lose commits made with
      // synchronous_commit off (`process` promises to survive a crash of the gateway, not of the server).
      const store = new PostgresStore({ client, durability: 'strict' });
      const key = generateSigningKey();
      const log = await AuditLog.open({ store, instance: 'gw-fault', key, checkpointIntervalMs: 0 });
      const notified: string[] = [];
      await client.listen('regate_audit_fault', (payload) => notified.push(payload));
      await Promise.all([
        log.append({ type: 'admin', operation: 'before' }),
        log.append({ type: 'admin', operation: 'before' }),
      ]);

      ctl('stop', '-m', 'immediate');
      const timings: number[] = [];
      try {
        // Twice: the first commit fails on the dead connections, the second on connecting.
        for (let round = 0; round < 2; round++) {
          const started = performance.now();
          const results = await Promise.allSettled([
            log.append({ type: 'admin', operation: 'during' }),
            log.append({ type: 'admin', operation: 'during' }),
          ]);
          timings.push(performance.now() - started);
          for (const r of results) {
            expect(r.status).toBe('rejected');
            const reason = (r as PromiseRejectedResult).reason as AuditError;
            expect(reason).toBeInstanceOf(AuditError);
            expect(['ERR_AUDIT_STORE_UNAVAILABLE', 'ERR_AUDIT_STORE_TIMEOUT']).toContain(reason.code);
            expect(reason.message).toContain(store.location);
          }
        }
        const started = performance.now();
        await expect(store.search({ limit: 1 })).rejects.toMatchObject({
          code: 'ERR_AUDIT_STORE_UNAVAILABLE',
        });
        timings.push(performance.now() - started);
        console.log(
          `server stopped: append rejected after ${timings.map((t) => t.toFixed(0)).join(' ms, ')} ms`,
        );
        for (const ms of timings) expect(ms).toBeLessThan(2000);
      } finally {
        ctl('start');
      }

      const after = await log.append({ type: 'admin', operation: 'after' });
      expect(after.seq).toBe(3);
      // The LISTEN connection reopens by itself (with backoff) and listens again.
      await vi.waitFor(
        async () => {
          await client.query("SELECT pg_notify('regate_audit_fault', 'back')");
          expect(notified).toContain('back');
        },
        { timeout: 15_000, interval: 250 },
      );
      expect(background.length).toBeGreaterThan(0);
      await log.close({ closeStore: false });
      const report = await verifyChain(store, 'gw-fault', { publicKeys: [key.publicKey] });
      expect(report).toMatchObject({ ok: true, records: 3 });
      await store.close();
    }, 60_000);
  });
}
