import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { at, chain, describePostgresStore } from '../../../test/system/audit-postgres-suite.js';
import { AuditError } from './errors.js';
import { generateSigningKey } from './keys.js';
import { AuditLog } from './log.js';
import { pgClient, pgLocation, pgliteClient } from './pg-client.js';
import { indexWords, PostgresStore, storeError, tsQuery } from './postgres-store.js';

describePostgresStore('PostgresStore on PGlite', async () => pgliteClient(await PGlite.create()));

describe('PostgresStore when the database goes away', () => {
  let db: PGlite | undefined;
  afterEach(async () => {
    if (db && !db.closed) await db.close();
  });

  it('rejects store and AuditLog appends at once with ERR_AUDIT_STORE_UNAVAILABLE when PGlite is closed', async () => {
    db = await PGlite.create();
    const store = new PostgresStore({ client: pgliteClient(db) });
    const log = await AuditLog.open({
      store,
      instance: 'gw-a',
      key: generateSigningKey(),
      checkpointIntervalMs: 0,
    });
    await log.append({ type: 'admin', operation: 'before' });
    await db.close();
    const results = await Promise.allSettled([
      log.append({ type: 'admin', operation: 'after' }),
      log.append({ type: 'admin', operation: 'after' }),
      store.append(chain('gw-b', [{ type: 'admin', operation: 'x', time: at(1) }])),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(AuditError);
      expect(reason).toMatchObject({ code: 'ERR_AUDIT_STORE_UNAVAILABLE' });
      expect(reason.message).toContain('pglite:memory');
    }
  }, 30_000);
});

describe('pgClient', () => {
  it('rejects quickly with ERR_AUDIT_STORE_UNAVAILABLE when nothing listens at the address', async () => {
    // Port 1 on loopback: the connection is refused at once.
    const store = new PostgresStore({ client: pgClient('postgres://u:secret@127.0.0.1:1/audit') });
    const err = await store.init().catch((e) => e);
    await store.close();
    expect(err).toBeInstanceOf(AuditError);
    expect(err.code).toBe('ERR_AUDIT_STORE_UNAVAILABLE');
    expect(err.message).toContain('127.0.0.1:1/audit');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toContain('secret');
  });

  it('refuses an empty URL with ERR_AUDIT_INVALID_CONFIG', () => {
    expect(() => pgClient(' ')).toThrow(expect.objectContaining({ code: 'ERR_AUDIT_INVALID_CONFIG' }));
  });

  it('names the server without the password', () => {
    expect(pgLocation({ connectionString: 'postgres://u:pw@db.example:6432/audit?sslmode=require' })).toBe(
      'db.example:6432/audit',
    );
    expect(pgLocation({ connectionString: 'postgresql:///audit?host=/run/postgresql' })).toBe(
      '/run/postgresql:5432/audit',
    );
    expect(pgLocation({ host: 'h', port: 5433, database: 'd', password: 'pw' })).toBe('h:5433/d');
  });
});

describe('storeError', () => {
  const code = (err: unknown) => storeError(err, 'h:5432/d').code;

  it('tells a chain conflict, a timeout and a lost server apart', () => {
    expect(code({ code: '23505', message: 'duplicate key' })).toBe('ERR_AUDIT_CHAIN_CONFLICT');
    expect(code({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe(
      'ERR_AUDIT_STORE_TIMEOUT',
    );
    expect(code(new Error('Query read timeout'))).toBe('ERR_AUDIT_STORE_TIMEOUT');
    expect(code(new Error('timeout exceeded when trying to connect'))).toBe('ERR_AUDIT_STORE_TIMEOUT');
    expect(code({ code: '57P01', message: 'terminating connection due to administrator command' })).toBe(
      'ERR_AUDIT_STORE_UNAVAILABLE',
    );
    expect(storeError({ code: '53100', message: 'could not extend file' }, 'h:5432/d').message).toContain(
      'disk is full',
    );
  });
});

describe('indexWords', () => {
  it('indexes lower-cased words and the parts of snake_case words once each', () => {
    expect(indexWords('SELECT order_id FROM Orders WHERE order_id = 1')).toEqual([
      'select',
      'order_id',
      'order',
      'id',
      'from',
      'orders',
      'where',
      '1',
    ]);
  });

  it('cuts long words the way the query side does', () => {
    const long = 'ä'.repeat(1000);
    const [word] = indexWords(long);
    expect(word).toHaveLength(256);
    expect(tsQuery(long)).toBe(`'${word}':*`);
  });
});
