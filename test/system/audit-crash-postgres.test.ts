/**
 * kill -9 of a gateway writing to the PostgreSQL audit store: every append that resolved is in the
 * store and the chain verifies, after each of several kills (the same check as the SQLite crash test).
 * Needs REGATE_PG_URL (scripts/ci-postgres.sh); skipped with the reason otherwise, and failing instead
 * when REGATE_REQUIRE_SYSTEM is set, as in CI.
 */
import { randomBytes } from 'node:crypto';
import { PostgresStore, pgClient } from '@regate/audit';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { crashLoop } from '../../packages/audit/src/crash-runner.js';

const url = process.env.REGATE_PG_URL;
const HOW = 'start a server with `export $(scripts/ci-postgres.sh)` and run `npm run test:system`';

describe('the PostgreSQL audit log under kill -9 of the gateway', () => {
  if (!url) {
    if (process.env.REGATE_REQUIRE_SYSTEM)
      it('needs REGATE_PG_URL', () => {
        throw new Error(`REGATE_PG_URL is not set but REGATE_REQUIRE_SYSTEM is: ${HOW}`);
      });
    else it.skip(`skipped: REGATE_PG_URL is not set (${HOW})`, () => {});
    return;
  }
  const database = `regate_crash_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('keeps every append that resolved, and a chain that verifies, after each of several kills', async () => {
    await admin(`CREATE DATABASE ${database}`);
    const target = new URL(url);
    target.pathname = `/${database}`;
    const kills = 6;
    const appended = await crashLoop(
      target.toString(),
      async () => new PostgresStore({ client: pgClient(target.toString()) }),
      kills,
    );
    expect(appended).toBeGreaterThan(kills * 10);
  }, 120_000);
});
