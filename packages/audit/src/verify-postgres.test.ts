import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash } from './chain.js';
import { generateSigningKey } from './keys.js';
import { AuditLog } from './log.js';
import { pgliteClient } from './pg-client.js';
import { PostgresStore } from './postgres-store.js';
import type { SqlClient } from './sql-client.js';
import { actionEvent, steppingClock } from './test-support.js';
import { verifyChain } from './verify.js';

/**
 * The tampering cases of verify.test.ts on the PostgreSQL store (PGlite), edited with SQL as someone
 * with database access would. Each test works in a schema of its own on one PGlite.
 */
let db: PGlite;
let n = 0;
beforeAll(async () => {
  db = await PGlite.create();
}, 60_000);
afterAll(async () => {
  await db.close();
});

async function writtenLog(count = 30) {
  const schema = `t${++n}`;
  await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  const client: SqlClient = pgliteClient(db);
  const store = new PostgresStore({ client });
  const key = generateSigningKey();
  const log = await AuditLog.open({
    store,
    key,
    instance: 'gw-1',
    clock: steppingClock(),
    checkpointEvery: 10,
    checkpointIntervalMs: 0,
  });
  for (let i = 1; i <= count; i++) await log.append(actionEvent(i));
  await log.close({ closeStore: false });
  const sql = (text: string, params: unknown[] = []) => client.query(text, params);
  const row = async (seq: number) =>
    (await sql('SELECT seq, prev_hash, hash, body FROM audit_records WHERE seq = $1', [seq])).rows[0] as {
      prev_hash: string;
      hash: string;
      body: string;
    };
  const check = () => verifyChain(store, 'gw-1', { publicKeys: [key.publicKey] });
  return { sql, row, check };
}

describe('verifyChain on the PostgreSQL store', () => {
  it('reports an untouched log as complete and signed', async () => {
    const { check } = await writtenLog();
    expect(await check()).toMatchObject({ ok: true, records: 30, checkpoints: 3, unsigned: 0, problems: [] });
  });

  it('names the record whose field was edited', async () => {
    const { sql, check } = await writtenLog();
    await sql(`UPDATE audit_records SET body = replace(body, '"alice"', '"mallory"') WHERE seq = 7`);
    expect((await check()).problems[0]).toMatchObject({ kind: 'modified', seq: 7 });
  });

  it('names the gap when a row is deleted', async () => {
    const { sql, check } = await writtenLog();
    await sql('DELETE FROM audit_records WHERE seq = 12');
    expect((await check()).problems[0]).toMatchObject({ kind: 'deleted', seq: 13 });
  });

  it('names a row inserted in the middle, with the rows after it renumbered', async () => {
    const { sql, row, check } = await writtenLog();
    const five = await row(5);
    await sql('UPDATE audit_records SET seq = -seq WHERE seq >= 6');
    await sql('UPDATE audit_records SET seq = -seq + 1 WHERE seq < 0');
    const forged = five.body.replace('"seq":5', '"seq":6').replace('act-5', 'act-forged');
    await sql(
      'INSERT INTO audit_records (instance, seq, prev_hash, hash, body, time, type) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      ['gw-1', 6, five.hash, chainHash(five.hash, forged), forged, JSON.parse(forged).time, 'action'],
    );
    const report = await check();
    expect(report.problems[0]).toMatchObject({ kind: 'inserted', seq: 6 });
  });

  it('names two swapped rows as out of order', async () => {
    const { sql, check } = await writtenLog();
    await sql('UPDATE audit_records SET seq = CASE seq WHEN 14 THEN -15 ELSE -14 END WHERE seq IN (14, 15)');
    await sql('UPDATE audit_records SET seq = -seq WHERE seq < 0');
    expect((await check()).problems[0]).toMatchObject({ kind: 'reordered', seq: 14 });
  });

  it('names a truncated tail when records a checkpoint vouched for are gone', async () => {
    const { sql, check } = await writtenLog();
    await sql('DELETE FROM audit_records WHERE seq > 25');
    expect((await check()).problems[0]).toMatchObject({ kind: 'truncated', seq: 30 });
  });
});

describe('verifyChain on the PostgreSQL store, search columns', () => {
  it('names the record whose search column was edited to hide it from searches', async () => {
    const { sql, check } = await writtenLog();
    await sql(`UPDATE audit_records SET subject = 'nobody' WHERE seq = 9`);
    expect((await check()).problems[0]).toMatchObject({ kind: 'modified', seq: 9 });
  });
});
