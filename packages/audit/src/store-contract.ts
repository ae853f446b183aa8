/**
 * The behaviour every AuditStore must have, as a vitest suite: sqlite-store.test.ts runs it on SQLite,
 * postgres-store.test.ts on PGlite, and test/system on the Debian PostgreSQL server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKey } from './keys.js';
import { AuditLog } from './log.js';
import type { AuditStore } from './store.js';
import { actionEvent, steppingClock } from './test-support.js';
import { verifyChain } from './verify.js';

export function describeStoreContract(name: string, makeStore: () => Promise<AuditStore>): void {
  describe(`${name}: the AuditStore contract`, () => {
    const stores: AuditStore[] = [];
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close().catch(() => {});
    });

    /** A store holding 20 records of gw-a and 5 of gw-b, one second apart from 10:00:01. */
    async function filled() {
      const store = await makeStore();
      stores.push(store);
      const key = generateSigningKey();
      const a = await AuditLog.open({
        store,
        key,
        instance: 'gw-a',
        clock: steppingClock(),
        checkpointEvery: 10,
        checkpointIntervalMs: 0,
      });
      for (let i = 1; i <= 20; i++) await a.append(actionEvent(i));
      await a.append({ type: 'terminal', session: 's-1', events: [[0.1, 'o', 'hello\r\n']] });
      const b = await AuditLog.open({
        store,
        key,
        instance: 'gw-b',
        clock: steppingClock('2026-11-23T11:00:00.000Z'),
        checkpointIntervalMs: 0,
      });
      for (let i = 1; i <= 5; i++) await b.append(actionEvent(100 + i));
      await a.close({ closeStore: false });
      await b.close({ closeStore: false });
      return { store, key };
    }

    it('keeps each instance its own chain, and both verify', async () => {
      const { store, key } = await filled();
      expect(await store.instances()).toEqual(['gw-a', 'gw-b']);
      expect((await store.head('gw-a'))?.seq).toBe(21);
      expect((await store.head('gw-b'))?.seq).toBe(5);
      for (const instance of ['gw-a', 'gw-b'])
        expect(await verifyChain(store, instance, { publicKeys: [key.publicKey] })).toMatchObject({
          ok: true,
        });
      expect((await store.checkpoints('gw-a')).map((c) => c.seq)).toEqual([10, 20, 21]);
    });

    it('scans a chain in seq order, in pages, from a given seq', async () => {
      const { store } = await filled();
      const pages: number[][] = [];
      for await (const page of store.scan('gw-a', 5, 7)) pages.push(page.map((r) => r.seq));
      expect(pages).toEqual([
        [5, 6, 7, 8, 9, 10, 11],
        [12, 13, 14, 15, 16, 17, 18],
        [19, 20, 21],
      ]);
    });

    it('filters searches by identity, group, target, kind, type, effect, outcome, session and time', async () => {
      const { store } = await filled();
      const count = async (q: Parameters<AuditStore['search']>[0]) =>
        (await store.search({ limit: 1000, ...q })).records.length;
      expect(await count({})).toBe(26);
      expect(await count({ instance: 'gw-b' })).toBe(5);
      expect(await count({ identity: 'alice' })).toBe(13); // odd i: 10 of gw-a, 3 of gw-b
      expect(await count({ identity: 'bob@example.com' })).toBe(12);
      expect(await count({ group: 'dba' })).toBe(13);
      expect(await count({ target: 'staging-db' })).toBe(12);
      expect(await count({ kind: 'sql.query' })).toBe(25);
      expect(await count({ type: 'terminal' })).toBe(1);
      expect(await count({ effect: 'block' })).toBe(6); // i % 4 === 0: 4, 8, 12, 16, 20, 104
      expect(await count({ outcome: 'blocked' })).toBe(6);
      expect(await count({ session: 's-1' })).toBe(9); // i % 3 === 1: seven of 1..20, 103, and the terminal chunk
      expect(await count({ since: '2026-11-23T10:00:05Z', until: '2026-11-23T10:00:10Z' })).toBe(5);
    });

    it('finds records by free text in query text, reasons and identity, prefix-matching the last word', async () => {
      const { store } = await filled();
      const hits = async (text: string) => (await store.search({ text, limit: 1000 })).records.length;
      expect(await hits('orders')).toBe(25);
      expect(await hits('without where')).toBe(6);
      expect(await hits('ord')).toBe(25);
      expect(await hits('nosuchword')).toBe(0);
      expect(await hits('"; DROP TABLE x --')).toBe(0);
    });

    it('pages newest first with a cursor, and oldest first when asked, without repeating a record', async () => {
      const { store } = await filled();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.search({ limit: 7, ...(cursor ? { cursor } : {}) });
        seen.push(...page.records.map((r) => `${r.instance}:${r.seq}`));
        cursor = page.next;
        pages++;
      } while (cursor);
      expect(pages).toBe(4);
      expect(new Set(seen).size).toBe(26);
      expect(seen[0]).toBe('gw-b:5');
      const asc = await store.search({ limit: 2, order: 'asc' });
      expect(asc.records.map((r) => r.seq)).toEqual([1, 2]);
      await expect(store.search({ cursor: 'garbage' })).rejects.toMatchObject({
        code: 'ERR_AUDIT_INVALID_QUERY',
      });
      await expect(store.search({ limit: 0 })).rejects.toMatchObject({ code: 'ERR_AUDIT_INVALID_QUERY' });
      await expect(store.search({ since: 'yesterday' })).rejects.toMatchObject({
        code: 'ERR_AUDIT_INVALID_QUERY',
      });
    });

    it('returns a session in time order, and finds the last record before a time', async () => {
      const { store } = await filled();
      const session = await store.session('s-1');
      expect(session.length).toBe(9);
      const times = session.map((r) => JSON.parse(r.body).time as string);
      expect([...times].sort()).toEqual(times);
      expect(await store.lastSeqBefore('gw-a', '2026-11-23T10:00:05.500Z')).toBe(5);
      expect(await store.lastSeqBefore('gw-a', '2000-01-01T00:00:00Z')).toBeUndefined();
    });

    it('deletes a chain prefix with its checkpoints and search entries', async () => {
      const { store } = await filled();
      expect(await store.deleteThrough('gw-a', 10)).toBe(10);
      expect((await store.checkpoints('gw-a')).map((c) => c.seq)).toEqual([20, 21]);
      expect((await store.search({ instance: 'gw-a', limit: 1000 })).records.length).toBe(11);
      expect((await store.search({ instance: 'gw-a', text: 'orders', limit: 1000 })).records.length).toBe(10);
      expect(await store.get('gw-a', 10)).toBeUndefined();
      expect((await store.get('gw-a', 11))?.seq).toBe(11);
    });
  });
}
