import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import { AuditError } from './errors.js';
import { verifyText } from './keys.js';
import { type AuditLog, checkpointText } from './log.js';
import type { AuditEvent } from './record.js';
import { actionEvent, decision, openLog, sqlAction } from './test-support.js';

const open: AuditLog[] = [];
afterEach(async () => {
  for (const log of open.splice(0)) await log.close().catch(() => {});
});

async function fresh(options: Parameters<typeof openLog>[0] = {}) {
  const r = await openLog(options);
  open.push(r.log);
  return r;
}

describe('AuditLog.append', () => {
  it('resolves with a numbered, chained record once it is stored', async () => {
    const { log, store } = await fresh();
    const a = await log.append(actionEvent(1));
    const b = await log.append(actionEvent(2));
    expect(a.seq).toBe(1);
    expect(a.prev_hash).toBe(GENESIS_HASH);
    expect(b.seq).toBe(2);
    expect(b.prev_hash).toBe(a.hash);
    const row = await store.get('gw-1', 2);
    expect(row?.hash).toBe(b.hash);
    expect(chainHash(row!.prev_hash, row!.body)).toBe(b.hash);
    const { hash: _h, prev_hash: _p, ...content } = b;
    expect(row?.body).toBe(canonicalJson(content));
  });

  it('fills the search fields from the Action when the event does not carry them', async () => {
    const { log } = await fresh();
    const r = await log.append(actionEvent(1));
    expect(r).toMatchObject({
      session: 's-1',
      target: 'prod-db',
      kind: 'sql.query',
      effect: 'allow',
      outcome: 'forwarded',
    });
    expect(r.identity?.subject).toBe('alice');
    expect(r.time).toBe('2026-11-23T10:00:01.000Z');
  });

  it('stores no card number or password typed into a WHERE clause or a command line', async () => {
    const { log, store } = await fresh();
    await log.append(
      actionEvent(1, {
        action: sqlAction(1, {
          sql: {
            text: "SELECT * FROM users WHERE card = '4111 1111 1111 1111' AND password = 'hunter2'",
            statements: [{ type: 'select', tables: [{ name: 'users', access: 'read' }], columns: [] }],
          },
        }),
        result: { rows: 1, sample: [{ email: 'jane@example.com' }] },
      }),
    );
    await log.append({
      ...actionEvent(2),
      action: {
        ...sqlAction(2),
        kind: 'ssh.exec',
        protocol: 'ssh',
        sql: undefined as never,
        ssh: {
          command: 'mysql -u root --password=s3cret -e "select 1"',
          argv: ['mysql', '-u', 'root', '--password', 's3cret'],
          program: 'mysql',
        },
      },
    } as AuditEvent);
    await log.append({
      type: 'terminal',
      session: 's-1',
      events: [[0.5, 'o', 'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n']],
    });
    const raw = new Database(store.location, { readonly: true });
    const everything = (raw.prepare('SELECT body FROM audit_records').pluck().all() as string[]).join('\n');
    raw.close();
    expect(everything).not.toMatch(/4111/);
    expect(everything).not.toMatch(/hunter2/);
    expect(everything).not.toMatch(/s3cret/);
    expect(everything).not.toMatch(/jane@example\.com/);
    expect(everything).not.toMatch(/wJalrXUtnFEMI/);
    expect(everything).toMatch(/SELECT \* FROM users WHERE card = '\[REDACTED\]'/);
  });

  it('rejects with ERR_AUDIT_INVALID_EVENT when the event is not one it knows', async () => {
    const { log } = await fresh();
    await expect(log.append({ type: 'nope' } as unknown as AuditEvent)).rejects.toMatchObject({
      code: 'ERR_AUDIT_INVALID_EVENT',
    });
    await expect(
      log.append({ ...actionEvent(1), outcome: 'maybe' } as unknown as AuditEvent),
    ).rejects.toMatchObject({
      code: 'ERR_AUDIT_INVALID_EVENT',
    });
    await expect(log.append({ type: 'session.start' } as unknown as AuditEvent)).rejects.toThrow(/session/);
    await expect(
      log.append({ ...actionEvent(1), result: { rows: Number.NaN } } as AuditEvent),
    ).rejects.toMatchObject({ code: 'ERR_AUDIT_INVALID_EVENT' });
    // A rejected event leaves no gap: the next one is record 1.
    expect((await log.append(actionEvent(1))).seq).toBe(1);
  });

  it('commits concurrent appends together when many arrive at once (group commit)', async () => {
    const { log } = await fresh();
    const records = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(actionEvent(i))));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(log.stats.commits).toBeLessThan(10);
    expect(log.stats.appended).toBe(200);
  });

  it('continues the chain when the log is opened again on the same file', async () => {
    const { log, path, key } = await fresh();
    await log.append(actionEvent(1));
    const last = await log.append(actionEvent(2));
    await log.close();
    const again = await fresh({ path, key });
    const next = await again.log.append(actionEvent(3));
    expect(next.seq).toBe(3);
    expect(next.prev_hash).toBe(last.hash);
  });

  it('rejects with ERR_AUDIT_CLOSED when appending after close', async () => {
    const { log } = await fresh();
    await log.close();
    await expect(log.append(actionEvent(1))).rejects.toBeInstanceOf(AuditError);
    await expect(log.append(actionEvent(1))).rejects.toMatchObject({ code: 'ERR_AUDIT_CLOSED' });
  });

  it('refuses a second writer of the same chain with ERR_AUDIT_CHAIN_CONFLICT', async () => {
    const { log, path, key } = await fresh();
    const other = await fresh({ path, key });
    await log.append(actionEvent(1));
    await expect(other.log.append(actionEvent(2))).rejects.toMatchObject({
      code: 'ERR_AUDIT_CHAIN_CONFLICT',
    });
    // The second writer re-reads the head after the failure and continues correctly.
    expect((await other.log.append(actionEvent(3))).seq).toBe(2);
  });
});

describe('AuditLog.checkpoint', () => {
  it('signs the head with the Ed25519 key every N records and on close', async () => {
    const { log, store, key } = await fresh({ checkpointEvery: 10 });
    for (let i = 0; i < 25; i++) await log.append(actionEvent(i));
    await log.close();
    const checkpoints = await new (store.constructor as typeof import('./sqlite-store.js').SqliteStore)({
      path: store.location,
    }).checkpoints('gw-1');
    expect(checkpoints.map((c) => c.seq)).toEqual([10, 20, 25]);
    for (const c of checkpoints) {
      expect(c.key_id).toBe(key.keyId);
      expect(verifyText(key.publicKey, checkpointText(c.instance, c.seq, c.hash, c.time), c.signature)).toBe(
        true,
      );
    }
  });
});

describe('AuditLog.prune', () => {
  it('deletes records before a time and records a signed prune event at the head', async () => {
    const { log, store } = await fresh();
    for (let i = 0; i < 10; i++) await log.append(actionEvent(i));
    // Record i has time 10:00:0i (stepping clock); prune before 10:00:05.5 removes records 1..5.
    const result = await log.prune('2026-11-23T10:00:05.500Z');
    expect(result).toEqual({ records: 5, throughSeq: 5 });
    const rows: number[] = [];
    for await (const page of store.scan('gw-1')) rows.push(...page.map((r) => r.seq));
    expect(rows).toEqual([6, 7, 8, 9, 10, 11]);
    const prune = JSON.parse((await store.get('gw-1', 11))!.body);
    expect(prune).toMatchObject({ type: 'prune', through_seq: 5, records: 5 });
    expect(decision().effect).toBe('allow');
  });

  it('deletes nothing when no record is older than the time', async () => {
    const { log } = await fresh();
    await log.append(actionEvent(1));
    expect(await log.prune('2000-01-01T00:00:00Z')).toEqual({ records: 0, throughSeq: 0 });
  });
});
