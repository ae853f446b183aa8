import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { chainHash } from './chain.js';
import { generateSigningKey } from './keys.js';
import { SqliteStore } from './sqlite-store.js';
import { actionEvent, openLog } from './test-support.js';
import { verifyChain } from './verify.js';

/** A closed log of `n` records with a checkpoint every 10, and a raw connection to tamper with. */
async function writtenLog(n = 30) {
  const { log, path, key } = await openLog({ checkpointEvery: 10 });
  for (let i = 1; i <= n; i++) await log.append(actionEvent(i));
  await log.close();
  const db = new Database(path);
  const check = async (publicKeys = [key.publicKey]) => {
    const store = new SqliteStore({ path });
    try {
      return await verifyChain(store, 'gw-1', { publicKeys });
    } finally {
      await store.close();
    }
  };
  const row = (seq: number) =>
    db.prepare('SELECT id, seq, prev_hash, hash, body FROM audit_records WHERE seq = ?').get(seq) as {
      id: number;
      seq: number;
      prev_hash: string;
      hash: string;
      body: string;
    };
  return { db, check, row, key };
}

describe('verifyChain', () => {
  it('reports an untouched log as complete and signed', async () => {
    const { check, db } = await writtenLog(30);
    const report = await check();
    db.close();
    expect(report).toMatchObject({
      ok: true,
      records: 30,
      firstSeq: 1,
      lastSeq: 30,
      checkpoints: 3,
      unsigned: 0,
      signaturesChecked: true,
      problems: [],
    });
  });

  it('names the record whose field was edited in the database', async () => {
    const { check, db } = await writtenLog();
    db.prepare(
      'UPDATE audit_records SET body = replace(body, \'"alice"\', \'"mallory"\') WHERE seq = 7',
    ).run();
    db.close();
    const report = await check();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'modified', seq: 7 });
  });

  it('names the record whose search column was edited to hide it from searches', async () => {
    const { check, db } = await writtenLog();
    db.prepare("UPDATE audit_records SET subject = 'nobody' WHERE seq = 9").run();
    db.close();
    expect((await check()).problems[0]).toMatchObject({ kind: 'modified', seq: 9 });
  });

  it('names the gap when a row is deleted', async () => {
    const { check, db } = await writtenLog();
    db.prepare('DELETE FROM audit_records WHERE seq = 12').run();
    db.close();
    const report = await check();
    expect(report.problems[0]).toMatchObject({ kind: 'deleted', seq: 13 });
    expect(report.problems[0]?.message).toMatch(/records 12\.\.12 were deleted/);
  });

  it('names an inserted row, even one that chains correctly to the record before it', async () => {
    const { check, db, row } = await writtenLog();
    const five = row(5);
    const forged = five.body.replace('"seq":5', '"seq":5.5').replace('act-5', 'act-forged');
    // Made to chain onto record 5, numbered between 5 and 6.
    db.prepare(
      'INSERT INTO audit_records (instance, seq, prev_hash, hash, body, time, type) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run('gw-1', 5.5, five.hash, chainHash(five.hash, forged), forged, '2026-11-23T10:00:05.500Z', 'action');
    db.close();
    expect((await check()).problems[0]).toMatchObject({ kind: 'inserted', seq: 5.5 });
  });

  it('names two swapped rows as out of order', async () => {
    const { check, db, row } = await writtenLog();
    const a = row(14);
    const b = row(15);
    const swap = db.prepare('UPDATE audit_records SET prev_hash = ?, hash = ?, body = ? WHERE seq = ?');
    db.transaction(() => {
      swap.run(b.prev_hash, b.hash, b.body, 14);
      swap.run(a.prev_hash, a.hash, a.body, 15);
    })();
    db.close();
    const report = await check();
    expect(report.problems[0]).toMatchObject({ kind: 'reordered', seq: 14 });
    expect(report.problems[0]?.message).toMatch(/records 14 and 15 are out of order/);
  });

  it('names a truncated tail when records a checkpoint vouched for are gone', async () => {
    const { check, db } = await writtenLog(30);
    db.prepare('DELETE FROM audit_records WHERE seq > 25').run();
    db.close();
    const report = await check();
    expect(report.problems[0]).toMatchObject({ kind: 'truncated', seq: 30 });
    expect(report.problems[0]?.message).toMatch(/ends at record 25/);
  });

  it('catches a chain rewritten from an edit onwards, through the signed checkpoints', async () => {
    const { check, db, row } = await writtenLog(30);
    // The attacker edits record 3 and recomputes every hash after it, so the chain itself is consistent.
    let prev = row(2).hash;
    const update = db.prepare('UPDATE audit_records SET prev_hash = ?, hash = ?, body = ? WHERE seq = ?');
    for (let seq = 3; seq <= 30; seq++) {
      const r = row(seq);
      const body = seq === 3 ? r.body.replace('"alice"', '"mallory"').replace('"bob"', '"mallory"') : r.body;
      const hash = chainHash(prev, body);
      update.run(prev, hash, body, seq);
      prev = hash;
    }
    db.close();
    const report = await check();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'modified', seq: 10 });
    expect(report.problems[0]?.message).toMatch(/checkpoint/);
  });

  it('reports a checkpoint whose signature does not verify, or that another key signed', async () => {
    const { check, db } = await writtenLog(30);
    db.prepare("UPDATE audit_checkpoints SET hash = 'f' || substr(hash, 2) WHERE seq = 20").run();
    db.close();
    const report = await check();
    expect(report.problems[0]).toMatchObject({ kind: 'signature', seq: 20 });
    const other = await check([generateSigningKey().publicKey]);
    expect(other.problems.filter((p) => p.kind === 'signature')).toHaveLength(3);
  });

  it('counts records after the last checkpoint as unsigned, and skips signatures without a key', async () => {
    const { log, path } = await openLog({ checkpointEvery: 10 });
    for (let i = 1; i <= 14; i++) await log.append(actionEvent(i));
    // Not closed: no final checkpoint.
    const report = await verifyChain(log.store, 'gw-1');
    expect(report).toMatchObject({ ok: true, records: 14, unsigned: 4, signaturesChecked: false });
    await log.close();
    expect(path).toBeTruthy();
  });

  it('accepts a pruned log whose start a signed prune event accounts for, and names a start deleted without one', async () => {
    const { log, path, key } = await openLog({ checkpointEvery: 10 });
    for (let i = 1; i <= 20; i++) await log.append(actionEvent(i));
    await log.prune('2026-11-23T10:00:08.500Z');
    await log.close();
    const store = new SqliteStore({ path });
    expect(await verifyChain(store, 'gw-1', { publicKeys: [key.publicKey] })).toMatchObject({
      ok: true,
      firstSeq: 9,
      records: 13,
    });
    const db = new Database(path);
    db.prepare('DELETE FROM audit_records WHERE seq <= 10').run();
    db.prepare('DELETE FROM audit_checkpoints WHERE seq <= 10').run();
    db.close();
    const report = await verifyChain(store, 'gw-1', { publicKeys: [key.publicKey] });
    await store.close();
    expect(report.problems[0]).toMatchObject({ kind: 'deleted', seq: 11 });
    expect(report.problems[0]?.message).toMatch(/no prune event accounts for them/);
  });
});
