/**
 * The PostgreSQL audit store's tests, run twice: on PGlite in `npm test`
 * (packages/audit/src/postgres-store.test.ts) and on the Debian server in the system tests
 * (audit-postgres.test.ts). `open` gives a client on a database (or schema) where the audit tables do not
 * exist yet; each test starts from empty tables.
 */
import {
  AuditError,
  AuditLog,
  canonicalJson,
  chainHash,
  GENESIS_HASH,
  generateSigningKey,
  type NewRecord,
  PostgresStore,
  type SqlClient,
  searchFields,
  verifyChain,
} from '@regate/audit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

type Event = Record<string, unknown>;

/** Seconds after 2025-01-01T00:00:00Z as an RFC 3339 string. */
export const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();

/** Chained rows for `instance` from `seq`, as the log would write them; `text` defaults to ''. */
export function chain(
  instance: string,
  events: (Event & { text?: string })[],
  start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): NewRecord[] {
  let { seq, hash } = start;
  return events.map(({ text, ...event }) => {
    seq += 1;
    const content = { ...event, instance, seq };
    const body = canonicalJson(content);
    const prev = hash;
    hash = chainHash(prev, body);
    return { instance, seq, prev_hash: prev, hash, body, text: text ?? '', fields: searchFields(content) };
  });
}

const alice = { subject: 'alice', email: 'alice@example.com', groups: ['dba', 'oncall'], type: 'user' };
const bob = { subject: 'bob', email: 'bob@example.com', groups: ['dev'], type: 'user' };

/** Two chains sharing session s1, with ties in time between them. */
function sample(): NewRecord[] {
  return [
    ...chain('gw-a', [
      { type: 'session.start', time: at(1), session: 's1', identity: alice, target: 'orders-db' },
      {
        type: 'action',
        time: at(2),
        session: 's1',
        identity: alice,
        target: 'orders-db',
        kind: 'sql.select',
        effect: 'allow',
        outcome: 'forwarded',
        text: 'SELECT * FROM public.orders_archive WHERE id = 1',
      },
      {
        type: 'action',
        time: at(3),
        session: 's1',
        identity: alice,
        target: 'orders-db',
        kind: 'sql.delete',
        effect: 'block',
        outcome: 'blocked',
        text: 'DELETE FROM customers',
      },
      { type: 'session.end', time: at(5), session: 's1', identity: alice, target: 'orders-db' },
    ]),
    ...chain('gw-b', [
      { type: 'session.start', time: at(2), session: 's2', identity: bob, target: 'build-host' },
      {
        type: 'action',
        time: at(3),
        session: 's2',
        identity: bob,
        target: 'build-host',
        kind: 'ssh.exec',
        effect: 'require_approval',
        outcome: 'approval_requested',
        text: 'systemctl restart nginx',
      },
      { type: 'admin', time: at(4), session: 's1', operation: 'note', text: 'Joined by Operator' },
    ]),
  ];
}

const keys = (records: { instance: string; seq: number }[]) => records.map((r) => `${r.instance}:${r.seq}`);

async function rejection(promise: Promise<unknown>): Promise<AuditError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuditError);
  return err as AuditError;
}

export function describePostgresStore(label: string, open: () => Promise<SqlClient>): void {
  describe(label, () => {
    let client: SqlClient;
    let store: PostgresStore;

    beforeAll(async () => {
      client = await open();
      store = new PostgresStore({ client });
      await store.init();
    }, 60_000);

    afterAll(async () => {
      await store?.close();
    });

    beforeEach(async () => {
      await client.query('TRUNCATE audit_records, audit_checkpoints');
    });

    it('leaves the schema as it is when init() runs again, twice at once', async () => {
      await store.append(chain('gw-a', [{ type: 'admin', operation: 'x', time: at(1) }]));
      const again = new PostgresStore({ client });
      await Promise.all([again.init(), again.init()]);
      expect(await store.head('gw-a')).toMatchObject({ seq: 1 });
    });

    it('returns the head, a record and the chain names after append', async () => {
      const rows = sample();
      await store.append(rows);
      const lastA = rows.filter((r) => r.instance === 'gw-a').at(-1)!;
      expect(await store.head('gw-a')).toEqual({ seq: 4, hash: lastA.hash });
      expect(await store.head('gw-b')).toMatchObject({ seq: 3 });
      expect(await store.head('gw-none')).toBeUndefined();
      const { text: _t, fields: _f, ...stored } = rows[1]!;
      expect(await store.get('gw-a', 2)).toEqual(stored);
      expect(await store.get('gw-a', 99)).toBeUndefined();
      expect(await store.instances()).toEqual(['gw-a', 'gw-b']);
    });

    it('lists chain names in byte order, as SQLite does', async () => {
      for (const name of ['gw-b', 'GW-c', 'gw-a', 'gw-ä'])
        await store.append(chain(name, [{ type: 'admin', operation: 'x', time: at(1) }]));
      expect(await store.instances()).toEqual(['GW-c', 'gw-a', 'gw-b', 'gw-ä']);
    });

    it('rejects a batch holding an existing (instance, seq) with ERR_AUDIT_CHAIN_CONFLICT and writes none of it', async () => {
      const rows = chain('gw-a', [
        { type: 'admin', operation: 'a', time: at(1) },
        { type: 'admin', operation: 'b', time: at(2) },
        { type: 'admin', operation: 'c', time: at(3) },
      ]);
      await store.append(rows);
      const next = chain('gw-a', [{ type: 'admin', operation: 'd', time: at(4) }], {
        seq: 3,
        hash: rows[2]!.hash,
      });
      const err = await rejection(store.append([...next, { ...rows[2]!, body: '{"type":"admin"}' }]));
      expect(err.code).toBe('ERR_AUDIT_CHAIN_CONFLICT');
      expect(err.message).toMatch(/instance name/);
      expect(await store.head('gw-a')).toEqual({ seq: 3, hash: rows[2]!.hash });
    });

    it('rejects a batch whose first record does not chain to the stored one before it, and writes none of it', async () => {
      const rows = chain('gw-a', [
        { type: 'admin', operation: 'a', time: at(1) },
        { type: 'admin', operation: 'b', time: at(2) },
      ]);
      await store.append(rows);
      const forked = chain('gw-a', [{ type: 'admin', operation: 'c', time: at(3) }], {
        seq: 2,
        hash: rows[0]!.hash,
      });
      expect((await rejection(store.append(forked))).code).toBe('ERR_AUDIT_CHAIN_CONFLICT');
      const orphan = chain('gw-new', [{ type: 'admin', operation: 'c', time: at(3) }], {
        seq: 5,
        hash: rows[1]!.hash,
      });
      expect((await rejection(store.append(orphan))).code).toBe('ERR_AUDIT_CHAIN_CONFLICT');
      expect(await store.head('gw-a')).toEqual({ seq: 2, hash: rows[1]!.hash });
      expect(await store.instances()).toEqual(['gw-a']);
      const next = chain('gw-a', [{ type: 'admin', operation: 'c', time: at(3) }], {
        seq: 2,
        hash: rows[1]!.hash,
      });
      await store.append(next);
      expect(await store.head('gw-a')).toMatchObject({ seq: 3 });
    });

    it('scans a chain in seq order, in pages, from a given seq', async () => {
      const rows = chain(
        'gw-a',
        Array.from({ length: 25 }, (_, i) => ({ type: 'admin', operation: `op${i}`, time: at(i) })),
      );
      await store.append(rows);
      await store.append(chain('gw-b', [{ type: 'admin', operation: 'other', time: at(1) }]));
      const pages: number[][] = [];
      for await (const page of store.scan('gw-a', 3, 10)) pages.push(page.map((r) => r.seq));
      expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
      expect(pages.flat()).toEqual(Array.from({ length: 23 }, (_, i) => i + 3));
      const first = (await store.scan('gw-a')[Symbol.asyncIterator]().next()).value as NewRecord[];
      const { text: _t, fields: _f, ...stored } = rows[0]!;
      expect(first[0]).toEqual(stored);
    });

    it('filters search by identity, group, target, kind, type, effect, outcome, session, instance and time', async () => {
      await store.append(sample());
      const find = async (q: Parameters<PostgresStore['search']>[0]) => keys((await store.search(q)).records);
      expect(await find({ identity: 'alice' })).toEqual(['gw-a:4', 'gw-a:3', 'gw-a:2', 'gw-a:1']);
      expect(await find({ identity: 'bob@example.com' })).toEqual(['gw-b:2', 'gw-b:1']);
      expect(await find({ group: 'oncall' })).toEqual(['gw-a:4', 'gw-a:3', 'gw-a:2', 'gw-a:1']);
      expect(await find({ group: 'dev' })).toEqual(['gw-b:2', 'gw-b:1']);
      expect(await find({ group: 'nobody' })).toEqual([]);
      expect(await find({ target: 'build-host' })).toEqual(['gw-b:2', 'gw-b:1']);
      expect(await find({ kind: 'sql.delete' })).toEqual(['gw-a:3']);
      expect(await find({ type: 'session.start' })).toEqual(['gw-b:1', 'gw-a:1']);
      expect(await find({ effect: 'require_approval' })).toEqual(['gw-b:2']);
      expect(await find({ outcome: 'blocked' })).toEqual(['gw-a:3']);
      expect(await find({ session: 's1', instance: 'gw-b' })).toEqual(['gw-b:3']);
      // since is inclusive, until exclusive; any RFC 3339 offset is read as the same instant.
      expect(await find({ since: at(2), until: '2025-01-01T01:00:04+01:00' })).toEqual([
        'gw-b:2',
        'gw-a:3',
        'gw-b:1',
        'gw-a:2',
      ]);
      expect(await find({ identity: 'alice', type: 'action', order: 'asc' })).toEqual(['gw-a:2', 'gw-a:3']);
    });

    it('pages through search results with cursors in both orders, with no gaps or repeats', async () => {
      // Times repeat within and across chains, so the cursor must break ties by instance and seq.
      const events = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ type: 'admin', operation: 'x', time: at(Math.floor(i / 3)) }));
      await store.append([...chain('gw-a', events(17)), ...chain('gw-b', events(14))]);
      for (const order of ['desc', 'asc'] as const) {
        const all = keys((await store.search({ order, limit: 1000 })).records);
        expect(all).toHaveLength(31);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.search({ order, limit: 4, ...(cursor === undefined ? {} : { cursor }) });
          seen.push(...keys(page.records));
          cursor = page.next;
          pages++;
        } while (cursor !== undefined);
        expect(seen).toEqual(all);
        expect(pages).toBe(8);
      }
      const desc = keys((await store.search({ limit: 3 })).records);
      expect(desc).toEqual(['gw-a:17', 'gw-a:16', 'gw-b:14']);
    });

    it('ends the last page without a cursor', async () => {
      await store.append(sample());
      const page = await store.search({ limit: 7 });
      expect(page.records).toHaveLength(7);
      expect(page.next).toBeUndefined();
    });

    it('finds free text when all words appear, the last as a prefix, in any case', async () => {
      await store.append(sample());
      const text = async (t: string) => keys((await store.search({ text: t })).records);
      expect(await text('DELETE cust')).toEqual(['gw-a:3']);
      expect(await text('customers delete')).toEqual(['gw-a:3']);
      expect(await text('delete nginx')).toEqual([]);
      expect(await text('public.orders_archive')).toEqual(['gw-a:2']);
      // FTS5 splits snake_case words into tokens, so the PostgreSQL index holds the parts as well.
      expect(await text('orders')).toEqual(['gw-a:2']);
      expect(await text('archive where')).toEqual(['gw-a:2']);
      expect(await text('operator')).toEqual(['gw-b:3']);
      expect(await text('restart ngi')).toEqual(['gw-b:2']);
      expect(await text('ngi restart')).toEqual([]);
      // No words at all is no free-text condition.
      expect(await text('!!')).toHaveLength(7);
      expect(await text(`'quoted' & | ! :*`)).toEqual([]);
    });

    it('matches free text on words longer than a PostgreSQL lexeme', async () => {
      const long = `${'x'.repeat(300)}y`;
      await store.append(
        chain('gw-a', [{ type: 'admin', operation: 'x', time: at(1), text: `token ${long}` }]),
      );
      expect((await store.search({ text: long })).records).toHaveLength(1);
      expect((await store.search({ text: 'x'.repeat(2500) })).records).toHaveLength(1);
      expect((await store.search({ text: 'token' })).records).toHaveLength(1);
    });

    it('rejects an invalid query with ERR_AUDIT_INVALID_QUERY', async () => {
      for (const q of [{ cursor: 'not-a-cursor' }, { limit: 0 }, { since: 'yesterday' }]) {
        const err = await rejection(store.search(q));
        expect(err.code).toBe('ERR_AUDIT_INVALID_QUERY');
      }
    });

    it("returns a session's records from every chain in time order", async () => {
      await store.append(sample());
      expect(keys(await store.session('s1'))).toEqual(['gw-a:1', 'gw-a:2', 'gw-a:3', 'gw-b:3', 'gw-a:4']);
      expect(await store.session('nope')).toEqual([]);
    });

    it('deletes a chain through a seq, with its checkpoints, and leaves other chains alone', async () => {
      const rows = chain(
        'gw-a',
        Array.from({ length: 5 }, (_, i) => ({ type: 'admin', operation: `op${i}`, time: at(i + 1) })),
      );
      await store.append([...rows, ...chain('gw-b', [{ type: 'admin', operation: 'x', time: at(1) }])]);
      for (const seq of [2, 4])
        await store.addCheckpoint({
          instance: 'gw-a',
          seq,
          hash: rows[seq - 1]!.hash,
          time: at(9),
          key_id: 'k',
          signature: 's',
        });
      expect(await store.deleteThrough('gw-a', 3)).toBe(3);
      expect(keys((await store.search({ instance: 'gw-a', order: 'asc' })).records)).toEqual([
        'gw-a:4',
        'gw-a:5',
      ]);
      expect((await store.checkpoints('gw-a')).map((c) => c.seq)).toEqual([4]);
      expect(await store.head('gw-b')).toMatchObject({ seq: 1 });
      expect(await store.deleteThrough('gw-a', 3)).toBe(0);
    });

    it('finds the last seq of a chain before a time', async () => {
      await store.append(sample());
      expect(await store.lastSeqBefore('gw-a', at(3))).toBe(2);
      expect(await store.lastSeqBefore('gw-a', at(60))).toBe(4);
      expect(await store.lastSeqBefore('gw-a', at(1))).toBeUndefined();
    });

    it('returns checkpoints oldest first and replaces one signed again at the same seq', async () => {
      const c = { instance: 'gw-a', hash: 'h', time: at(1), key_id: 'k1', signature: 'sig' };
      await store.addCheckpoint({ ...c, seq: 20 });
      await store.addCheckpoint({ ...c, seq: 10 });
      await store.addCheckpoint({ ...c, seq: 20, key_id: 'k2', signature: 'sig2' });
      await store.addCheckpoint({ ...c, instance: 'gw-b', seq: 5 });
      expect(await store.checkpoints('gw-a')).toEqual([
        { ...c, seq: 10 },
        { ...c, seq: 20, key_id: 'k2', signature: 'sig2' },
      ]);
    });

    it('stores a body with a NUL and an unpaired surrogate exactly as hashed, and still searches it', async () => {
      const rows = chain('gw-a', [
        {
          type: 'terminal',
          time: at(1),
          session: 's\u0000x',
          target: 'host\ud800',
          events: [[0.1, 'o', 'a\u0000b \\u0000 \\\u0000']],
          text: 'bell\u0000 ring',
        },
      ]);
      await store.append(rows);
      expect((await store.get('gw-a', 1))?.body).toBe(rows[0]!.body);
      expect(keys((await store.search({ session: 's\ufffdx' })).records)).toEqual(['gw-a:1']);
      expect(keys((await store.search({ target: 'host\ufffd' })).records)).toEqual(['gw-a:1']);
      expect(keys((await store.search({ text: 'ring' })).records)).toEqual(['gw-a:1']);
    });

    it('reports a searchable column edited apart from its body as a mismatch', async () => {
      await store.append(sample());
      expect(await store.fieldMismatches?.('gw-a', 10)).toEqual([]);
      await client.query("UPDATE audit_records SET target = 'elsewhere' WHERE instance = 'gw-a' AND seq = 3");
      expect(await store.fieldMismatches?.('gw-a', 10)).toEqual([3]);
    });

    it('keeps an AuditLog chain whole under concurrent appends, and verify passes', async () => {
      const key = generateSigningKey();
      let now = Date.UTC(2025, 0, 1);
      const log = await AuditLog.open({
        store,
        instance: 'gw-log',
        key,
        clock: () => new Date((now += 1000)),
        checkpointEvery: 50,
        checkpointIntervalMs: 0,
      });
      const records = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          log.append({ type: 'admin', operation: `op-${i}`, session: `s${i % 3}` }),
        ),
      );
      expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 120 }, (_, i) => i + 1),
      );
      expect(log.stats.commits).toBeLessThan(120);
      await log.close({ closeStore: false });
      const report = await verifyChain(store, 'gw-log', { publicKeys: [key.publicKey], batch: 32 });
      expect(report).toMatchObject({ ok: true, records: 120, unsigned: 0, problems: [] });
      expect(report.checkpoints).toBeGreaterThanOrEqual(1);
      expect(keys((await store.search({ session: 's1', text: 'op', limit: 1000 })).records)).toHaveLength(40);
    });

    it('delivers NOTIFY payloads to listen() until it is unlistened', async () => {
      const got: string[] = [];
      const unlisten = await client.listen('regate_audit_test', (p) => got.push(p));
      await client.query("SELECT pg_notify('regate_audit_test', 'one')");
      await vi.waitFor(() => expect(got).toEqual(['one']), { timeout: 5000 });
      await unlisten();
      await client.query("SELECT pg_notify('regate_audit_test', 'two')");
      await client.query("SELECT pg_notify('regate_audit_test', 'two')");
      expect(got).toEqual(['one']);
    });

    it('rejects with ERR_AUDIT_CLOSED after close()', async () => {
      const other = new PostgresStore({ client: { ...client, close: async () => {} } });
      await other.close();
      const err = await rejection(
        other.append(chain('gw-a', [{ type: 'admin', operation: 'x', time: at(1) }])),
      );
      expect(err.code).toBe('ERR_AUDIT_CLOSED');
    });
  });
}
