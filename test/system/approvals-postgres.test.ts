/**
 * Approvals between gateway *processes* sharing a real PostgreSQL server (Debian's): each gateway is a
 * child process (approvals-child.ts) with its own connections, so a waiter can only learn of another
 * process's vote through the server — LISTEN/NOTIFY, with polling turned off.
 *
 * `scripts/ci-postgres.sh` starts a throwaway cluster and prints REGATE_PG_URL; without it these tests are
 * skipped, and fail instead when REGATE_REQUIRE_SYSTEM is set (CI sets it, so a missing server is never
 * mistaken for a pass).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';

const url = process.env.REGATE_PG_URL;
const HOW = 'start a server with `export $(scripts/ci-postgres.sh)` and run the system tests';
const CHILD = fileURLToPath(new URL('./approvals-child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

vi.setConfig({ testTimeout: 120_000 });

if (!url) {
  describe('approvals between gateway processes on a PostgreSQL server', () => {
    if (process.env.REGATE_REQUIRE_SYSTEM)
      it('needs REGATE_PG_URL', () => {
        throw new Error(`REGATE_PG_URL is not set but REGATE_REQUIRE_SYSTEM is: ${HOW}`);
      });
    else it.skip(`skipped: REGATE_PG_URL is not set (${HOW})`, () => {});
  });
} else {
  const schemas: string[] = [];
  const children = new Set<ChildProcess>();

  const admin = async <R extends Record<string, unknown>>(sql: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  };

  /** A URL whose connections use a new, empty schema of their own. */
  const freshSchema = async (): Promise<{ url: string; schema: string }> => {
    const schema = `approvals_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE SCHEMA ${schema}`);
    schemas.push(schema);
    return {
      schema,
      url: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    };
  };

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const name of schemas) await admin(`DROP SCHEMA ${name} CASCADE`);
  });

  /** A gateway process; `lines` yields each JSON line it prints, `done` its exit code and stderr. */
  const gateway = (args: string[]) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      child.on('close', (code) => {
        children.delete(child);
        resolve({ code, stderr });
      }),
    );
    const next = async (): Promise<Record<string, string>> => {
      const line = await lines.next();
      if (line.done) throw new Error(`the gateway process ended without output: ${(await done).stderr}`);
      return JSON.parse(line.value) as Record<string, string>;
    };
    return { next, done };
  };

  /** One vote from a process of its own; resolves with what it printed. */
  const vote = async (
    db: string,
    instance: string,
    id: string,
    kind: string,
    subject: string,
    groups: string,
  ) => {
    const g = gateway(['vote', db, instance, id, kind, subject, groups]);
    const out = await g.next();
    const { code, stderr } = await g.done;
    expect(code, stderr).toBe(0);
    return out;
  };

  const approvalRecords = (schema: string) =>
    admin<{ instance: string; state: string; by: string | null }>(
      `SELECT instance, body::jsonb #>> '{approval,state}' AS state, body::jsonb #>> '{approval,by}' AS by
       FROM ${schema}.audit_records WHERE type = 'approval' ORDER BY time, instance, seq`,
    );

  describe('approvals between gateway processes on a PostgreSQL server', () => {
    it('wakes the waiting gateway through NOTIFY when another process approves', async () => {
      const { url: db, schema } = await freshSchema();
      const waiter = gateway(['open', db, 'gw-a', '1']);
      const { id } = await waiter.next();
      expect(id).toMatch(/^apr_/);
      expect(await vote(db, 'gw-b', id!, 'approve', 'bob', 'dba-leads')).toEqual({ state: 'approved' });
      expect(await waiter.next()).toEqual({ outcome: 'approved' });
      expect((await waiter.done).code).toBe(0);
      expect(await approvalRecords(schema)).toEqual([
        { instance: 'gw-a', state: 'requested', by: null },
        { instance: 'gw-b', state: 'approved', by: 'bob' },
      ]);
    });

    it('enforces four-eyes across processes: not the requester, each approver once, two approvers', async () => {
      const { url: db } = await freshSchema();
      const waiter = gateway(['open', db, 'gw-a', '2']);
      const { id } = await waiter.next();
      expect(await vote(db, 'gw-b', id!, 'approve', 'alice', 'dba-leads')).toEqual({
        error: 'ERR_APPROVAL_SELF_APPROVAL',
      });
      expect(await vote(db, 'gw-b', id!, 'approve', 'eve', 'dev')).toEqual({
        error: 'ERR_APPROVAL_NOT_APPROVER',
      });
      expect(await vote(db, 'gw-b', id!, 'approve', 'bob', 'dba-leads')).toEqual({ state: 'pending' });
      expect(await vote(db, 'gw-c', id!, 'approve', 'bob', 'dba-leads')).toEqual({
        error: 'ERR_APPROVAL_ALREADY_VOTED',
      });
      expect(await vote(db, 'gw-c', id!, 'approve', 'carol', 'dba-leads')).toEqual({ state: 'approved' });
      expect(await waiter.next()).toEqual({ outcome: 'approved' });
    });

    it('transitions once when two processes vote on the same request at the same time', async () => {
      const { url: db, schema } = await freshSchema();
      const waiter = gateway(['open', db, 'gw-a', '1']);
      const { id } = await waiter.next();
      const results = await Promise.all([
        vote(db, 'gw-b', id!, 'approve', 'bob', 'dba-leads'),
        vote(db, 'gw-c', id!, 'deny', 'carol', 'dba-leads'),
      ]);
      const ended = results.filter((r) => r.state === 'approved' || r.state === 'denied');
      expect(ended).toHaveLength(1);
      expect(results.filter((r) => r.error === 'ERR_APPROVAL_NOT_PENDING')).toHaveLength(1);
      expect(await waiter.next()).toEqual({ outcome: ended[0]!.state });
      const states = (await approvalRecords(schema)).map((r) => r.state);
      expect(states).toEqual(['requested', ended[0]!.state]);
    });
  });
}
