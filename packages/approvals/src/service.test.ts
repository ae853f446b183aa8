/**
 * The approval service on both stores: SQLite (better-sqlite3, in the audit store's connection) and
 * PostgreSQL (PGlite, through the audit store's client). Every test runs on each; clocks are injected,
 * so expiry is driven by moving the clock and calling sweep(), never by sleeping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Action, ApprovalRequirement, Decision, Identity } from '@regate/action';
import {
  type ApprovalEvent,
  AuditLog,
  type AuditStore,
  generateSigningKey,
  PostgresStore,
  pgliteClient,
  SqliteStore,
} from '@regate/audit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalError } from './errors.js';
import { ApprovalService, type ApprovalServiceOptions } from './service.js';
import { approvalStoreFor } from './store-for.js';

class TestClock {
  t = Date.parse('2026-11-23T10:00:00.000Z');
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}

const person = (subject: string, groups: string[] = []): Identity => ({ subject, groups, type: 'user' });
const alice = person('alice', ['dev']);
const bob = person('bob', ['dba-leads']);
const carol = person('carol', ['dba-leads']);
const sam = person('sam', ['security']);
const eve = person('eve', ['dev']);

const ACTION: Action = {
  id: 'act_1',
  time: '2026-11-23T10:00:00.000Z',
  kind: 'sql.query',
  protocol: 'postgres',
  identity: alice,
  session: { id: 'ses_1' },
  target: { name: 'orders-db', type: 'postgres', database: 'orders' },
  sql: {
    text: 'DELETE FROM customers WHERE id = 42',
    statements: [
      { type: 'delete', tables: [{ name: 'customers', access: 'write' }], columns: [], where: true },
    ],
  },
};

function decision(approvals: ApprovalRequirement[]): Decision {
  return {
    effect: 'require_approval',
    reasons: ['write to prod'],
    mask: [],
    approvals,
    policy: { revision: 'r1' },
  };
}

const LEADS = decision([{ approvers: ['group:dba-leads'], reason: 'write to prod' }]);

interface Gateway {
  service: ApprovalService;
  audit: AuditLog;
}

interface Env {
  kind: string;
  clock: TestClock;
  auditStore: AuditStore;
  /** A gateway instance over the shared store; `name` is its audit chain. */
  gateway(name: string, options?: Partial<ApprovalServiceOptions>): Promise<Gateway>;
  /** Every approval record in the audit store, oldest first, as stored. */
  records(): Promise<(ApprovalEvent & { instance: string })[]>;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function makeEnv(
  auditStore: AuditStore,
  clock: TestClock,
  kind: string,
  after?: () => Promise<void>,
): Promise<Env> {
  const gateways: Gateway[] = [];
  const env: Env = {
    kind,
    clock,
    auditStore,
    async gateway(name, options = {}) {
      const audit = await AuditLog.open({
        store: auditStore,
        instance: name,
        key: generateSigningKey(),
        clock: clock.now,
        checkpointIntervalMs: 0,
      });
      const service = await ApprovalService.start({
        store: approvalStoreFor(auditStore),
        audit,
        clock: clock.now,
        sweepIntervalMs: 0,
        pollMs: 0,
        ...options,
      });
      const g = { service, audit };
      gateways.push(g);
      return g;
    },
    async records() {
      const page = await auditStore.search({ type: 'approval', order: 'asc', limit: 1000 });
      return page.records.map((r) => JSON.parse(r.body) as ApprovalEvent & { instance: string });
    },
    async close() {
      for (const g of gateways) {
        await g.service.close();
        await g.audit.close({ closeStore: false }).catch(() => {});
      }
      await auditStore.close();
      await after?.();
    },
  };
  await auditStore.init();
  cleanups.push(() => env.close());
  return env;
}

const STORES: { name: string; make: () => Promise<Env> }[] = [
  {
    name: 'sqlite',
    make: () => makeEnv(new SqliteStore({ path: ':memory:' }), new TestClock(), 'sqlite'),
  },
  {
    name: 'postgres (PGlite)',
    make: async () => {
      const db = pglite!;
      await db.query(`DO $$ BEGIN
        IF to_regclass('approval_votes') IS NOT NULL THEN TRUNCATE approval_votes, approval_requests; END IF;
        IF to_regclass('audit_records') IS NOT NULL THEN TRUNCATE audit_records, audit_checkpoints; END IF;
      END $$`);
      return makeEnv(new PostgresStore({ client: pgliteClient(db) }), new TestClock(), 'postgres');
    },
  },
];

// One embedded database for the file (starting one takes seconds), emptied before each test.
let pglite: PGlite | undefined;
beforeAll(async () => {
  pglite = await PGlite.create();
}, 60_000);
afterAll(async () => {
  await pglite?.close();
});

async function refusal(promise: Promise<unknown>): Promise<ApprovalError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApprovalError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused, and it succeeded');
}

/** Settles within the test's own time, or says which promise never did. */
function settled<T>(promise: Promise<T>): Promise<T | 'still pending'> {
  return Promise.race([
    promise,
    new Promise<'still pending'>((r) => setImmediate(() => setImmediate(() => r('still pending')))),
  ]);
}

describe.each(STORES)('ApprovalService on $name', ({ make }) => {
  it('opens a pending request with the approvers and an expiry from the clock when the decision requires approval', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1', { defaultTimeoutMs: 60_000 });
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    expect(r.id).toMatch(/^apr_[A-Za-z0-9_-]{22}$/);
    expect(r).toMatchObject({
      state: 'pending',
      requester: alice,
      requirements: [{ approvers: ['group:dba-leads'], count: 1, reason: 'write to prod' }],
      created_at: '2026-11-23T10:00:00.000Z',
      expires_at: '2026-11-23T10:01:00.000Z',
      votes: [],
    });
    expect(await service.get(r.id)).toEqual(r);
    const other = await service.open({ action: ACTION, decision: LEADS, requester: alice, timeoutMs: 5000 });
    expect(other.id).not.toBe(r.id);
    expect(other.expires_at).toBe('2026-11-23T10:00:05.000Z');
  });

  it('refuses to open a request when the decision does not require approval or names no approvers', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const allow: Decision = { ...LEADS, effect: 'allow' };
    expect((await refusal(service.open({ action: ACTION, decision: allow, requester: alice }))).code).toBe(
      'ERR_APPROVAL_INVALID_REQUEST',
    );
    const none = decision([]);
    expect((await refusal(service.open({ action: ACTION, decision: none, requester: alice }))).code).toBe(
      'ERR_APPROVAL_INVALID_REQUEST',
    );
    const onlyAlice = decision([{ approvers: ['user:alice'] }]);
    const err = await refusal(service.open({ action: ACTION, decision: onlyAlice, requester: alice }));
    expect(err.code).toBe('ERR_APPROVAL_INVALID_REQUEST');
    expect(err.message).toContain('cannot approve their own request');
    expect(await service.list()).toEqual([]);
    expect(await env.records()).toEqual([]);
  });

  it('refuses the requester when they approve or deny their own request, even as a listed approver', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const lead = person('alice', ['dba-leads']);
    const r = await service.open({ action: { ...ACTION, identity: lead }, decision: LEADS, requester: lead });
    expect((await refusal(service.approve(r.id, lead))).code).toBe('ERR_APPROVAL_SELF_APPROVAL');
    expect((await refusal(service.deny(r.id, lead, 'never mind'))).code).toBe('ERR_APPROVAL_SELF_APPROVAL');
    expect((await service.get(r.id))?.state).toBe('pending');
    expect((await service.get(r.id))?.votes).toEqual([]);
  });

  it('refuses a vote when the identity matches no approver entry', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    const err = await refusal(service.approve(r.id, eve));
    expect(err.code).toBe('ERR_APPROVAL_NOT_APPROVER');
    expect(err.message).toContain('1 of group:dba-leads');
    expect((await refusal(service.deny(r.id, eve, 'no'))).code).toBe('ERR_APPROVAL_NOT_APPROVER');
    expect((await service.get(r.id))?.state).toBe('pending');
  });

  it('approves with one vote when a group approver votes on a count-1 requirement', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    env.clock.advance(1000);
    const after = await service.approve(r.id, bob, 'looks fine');
    expect(after).toMatchObject({
      state: 'approved',
      decided_by: 'bob',
      decided_at: '2026-11-23T10:00:01.000Z',
    });
    expect(after.votes).toEqual([
      {
        subject: 'bob',
        identity: bob,
        vote: 'approve',
        reason: 'looks fine',
        at: '2026-11-23T10:00:01.000Z',
      },
    ]);
    expect(await service.get(r.id)).toEqual(after);
  });

  it('approves when a user approver named by subject votes', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const named = decision([{ approvers: ['user:sam', 'dave'] }]);
    const r = await service.open({ action: ACTION, decision: named, requester: alice });
    expect((await refusal(service.approve(r.id, carol))).code).toBe('ERR_APPROVAL_NOT_APPROVER');
    expect((await service.approve(r.id, person('dave'))).state).toBe('approved');
    const r2 = await service.open({ action: ACTION, decision: named, requester: alice });
    expect((await service.approve(r2.id, sam)).state).toBe('approved');
  });

  it('needs two distinct approvers when the count is 2, counting the same approver once', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const fourEyes = decision([{ approvers: ['group:dba-leads'], count: 2 }]);
    const r = await service.open({ action: ACTION, decision: fourEyes, requester: alice });
    expect((await service.approve(r.id, bob)).state).toBe('pending');
    expect((await refusal(service.approve(r.id, bob))).code).toBe('ERR_APPROVAL_ALREADY_VOTED');
    expect((await service.get(r.id))?.votes.map((v) => v.subject)).toEqual(['bob']);
    const done = await service.approve(r.id, carol);
    expect(done.state).toBe('approved');
    expect(done.decided_by).toBe('carol');
    expect(done.votes.map((v) => v.subject)).toEqual(['bob', 'carol']);
  });

  it('approves only when every requirement is met when the decision has several', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const both = decision([{ approvers: ['group:dba-leads'] }, { approvers: ['group:security'] }]);
    const r = await service.open({ action: ACTION, decision: both, requester: alice });
    expect((await service.approve(r.id, bob)).state).toBe('pending');
    expect((await refusal(service.approve(r.id, eve))).code).toBe('ERR_APPROVAL_NOT_APPROVER');
    expect((await service.approve(r.id, sam)).state).toBe('approved');
  });

  it('denies on one eligible deny, with its reason, and closes the request to further votes', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const fourEyes = decision([{ approvers: ['group:dba-leads'], count: 2 }]);
    const r = await service.open({ action: ACTION, decision: fourEyes, requester: alice });
    await service.approve(r.id, bob);
    expect((await refusal(service.deny(r.id, carol, '  '))).code).toBe('ERR_APPROVAL_INVALID_VOTE');
    const denied = await service.deny(r.id, carol, 'not during the freeze');
    expect(denied).toMatchObject({
      state: 'denied',
      decided_by: 'carol',
      decision_reason: 'not during the freeze',
    });
    const late = await refusal(service.approve(r.id, person('dan', ['dba-leads'])));
    expect(late.code).toBe('ERR_APPROVAL_NOT_PENDING');
    expect(late.message).toContain('already denied (by carol)');
  });

  it('refuses a vote on an unknown id with ERR_APPROVAL_NOT_FOUND', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    expect((await refusal(service.approve('apr_nope', bob))).code).toBe('ERR_APPROVAL_NOT_FOUND');
    expect((await refusal(service.wait('apr_nope'))).code).toBe('ERR_APPROVAL_NOT_FOUND');
  });

  it('expires a request once, when the clock passes its expiry and the sweep runs', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice, timeoutMs: 60_000 });
    env.clock.advance(59_999);
    expect(await service.sweep()).toBe(0);
    env.clock.advance(1);
    expect(await service.sweep()).toBe(1);
    expect(await service.sweep()).toBe(0);
    expect(await service.get(r.id)).toMatchObject({
      state: 'expired',
      decided_at: '2026-11-23T10:01:00.000Z',
    });
    expect((await env.records()).filter((e) => e.approval.state === 'expired')).toHaveLength(1);
    expect((await refusal(service.approve(r.id, bob))).code).toBe('ERR_APPROVAL_NOT_PENDING');
  });

  it('expires the request and refuses the vote when a vote comes after the expiry but before a sweep', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice, timeoutMs: 1000 });
    env.clock.advance(1000);
    const err = await refusal(service.approve(r.id, bob));
    expect(err.code).toBe('ERR_APPROVAL_NOT_PENDING');
    expect(err.message).toContain('expired');
    expect((await service.get(r.id))?.state).toBe('expired');
    expect((await service.get(r.id))?.votes).toEqual([]);
  });

  it('resolves wait() with approved, denied or expired when the request ends that way', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const a = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    const d = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    const x = await service.open({ action: ACTION, decision: LEADS, requester: alice, timeoutMs: 1000 });
    const waits = [service.wait(a.id), service.wait(d.id), service.wait(x.id)];
    expect(await settled(waits[0]!)).toBe('still pending');
    await service.approve(a.id, bob);
    await service.deny(d.id, carol, 'no');
    env.clock.advance(1000);
    await service.sweep();
    expect(await Promise.all(waits)).toEqual(['approved', 'denied', 'expired']);
    // A request that already ended resolves at once.
    expect(await service.wait(a.id)).toBe('approved');
  });

  it('expires the request itself when wait() is called after its expiry', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice, timeoutMs: 1000 });
    env.clock.advance(5000);
    expect(await service.wait(r.id)).toBe('expired');
    expect((await env.records()).map((e) => e.approval.state)).toEqual(['requested', 'expired']);
  });

  it('rejects wait() with the reason when its signal aborts, and with ERR_APPROVAL_CLOSED when the service closes', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    const controller = new AbortController();
    const waiting = service.wait(r.id, { signal: controller.signal });
    controller.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    const closing = service.wait(r.id);
    await service.close();
    expect((await refusal(closing)).code).toBe('ERR_APPROVAL_CLOSED');
    expect((await refusal(service.approve(r.id, bob))).code).toBe('ERR_APPROVAL_CLOSED');
  });

  it('resolves wait() with cancelled and records it when the gateway cancels the request', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    const waiting = service.wait(r.id);
    await service.cancel(r.id, { by: 'gateway', reason: 'client disconnected' });
    expect(await waiting).toBe('cancelled');
    expect((await refusal(service.approve(r.id, bob))).code).toBe('ERR_APPROVAL_NOT_PENDING');
    const last = (await env.records()).at(-1);
    expect(last?.approval).toEqual({
      id: r.id,
      state: 'cancelled',
      by: 'gateway',
      reason: 'client disconnected',
    });
  });

  it('wakes a waiter on another gateway when that gateway approves the request (no polling)', async () => {
    const env = await make();
    const gw1 = await env.gateway('gw1');
    const gw2 = await env.gateway('gw2');
    const r = await gw1.service.open({ action: ACTION, decision: LEADS, requester: alice });
    const waiting = gw1.service.wait(r.id);
    expect(await settled(waiting)).toBe('still pending');
    expect((await gw2.service.get(r.id))?.state).toBe('pending');
    await gw2.service.approve(r.id, bob);
    expect(await waiting).toBe('approved');
    const states = (await env.records()).map((e) => [e.instance, e.approval.state]);
    expect(states).toEqual([
      ['gw1', 'requested'],
      ['gw2', 'approved'],
    ]);
  });

  it('transitions once when two gateways approve the same request at the same time', async () => {
    const env = await make();
    const gw1 = await env.gateway('gw1');
    const gw2 = await env.gateway('gw2');
    const r = await gw1.service.open({ action: ACTION, decision: LEADS, requester: alice });
    const results = await Promise.allSettled([
      gw1.service.approve(r.id, bob),
      gw2.service.approve(r.id, carol),
    ]);
    const won = results.filter((x) => x.status === 'fulfilled');
    const lost = results.filter((x) => x.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(((lost[0] as PromiseRejectedResult).reason as ApprovalError).code).toBe(
      'ERR_APPROVAL_NOT_PENDING',
    );
    expect((await env.records()).filter((e) => e.approval.state === 'approved')).toHaveLength(1);
    expect((await gw1.service.get(r.id))?.votes).toHaveLength(1);
  });

  it('records every step in the audit trail, with the actor and the waiting action', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const fourEyes = decision([{ approvers: ['group:dba-leads', 'user:sam'], count: 2 }]);
    const a = await service.open({ action: ACTION, decision: fourEyes, requester: alice, timeoutMs: 60_000 });
    await service.approve(a.id, bob, 'ok');
    await service.approve(a.id, sam);
    const d = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    await service.deny(d.id, carol, 'not now');
    const x = await service.open({ action: ACTION, decision: LEADS, requester: alice, timeoutMs: 1 });
    env.clock.advance(1);
    await service.sweep();
    const records = await env.records();
    const common = {
      type: 'approval',
      action_id: 'act_1',
      session: 'ses_1',
      target: 'orders-db',
      kind: 'sql.query',
      effect: 'require_approval',
    };
    expect(records[0]).toMatchObject({
      ...common,
      identity: alice,
      outcome: 'approval_requested',
      approval: {
        id: a.id,
        state: 'requested',
        approvers: ['group:dba-leads', 'user:sam'],
        count: 2,
        expires_at: '2026-11-23T10:01:00.000Z',
        reason: 'write to prod',
      },
    });
    expect(records[0]!.approval.by).toBeUndefined();
    expect(
      records
        .slice(1)
        .map((e) => [e.approval.id, e.approval.state, e.approval.by, e.outcome, e.identity?.subject]),
    ).toEqual([
      [a.id, 'requested', 'bob', 'approval_requested', 'bob'],
      [a.id, 'approved', 'sam', 'approved', 'sam'],
      [d.id, 'requested', undefined, 'approval_requested', 'alice'],
      [d.id, 'denied', 'carol', 'denied', 'carol'],
      [x.id, 'requested', undefined, 'approval_requested', 'alice'],
      [x.id, 'expired', undefined, 'expired', undefined],
    ]);
    expect(records[2]).toMatchObject(common);
    expect(records[4]!.approval.reason).toBe('not now');
  });

  it('fails the transition and changes nothing when the audit trail cannot record it', async () => {
    const env = await make();
    const working = await env.gateway('gw1');
    const broken = await env.gateway('gw2');
    const fourEyes = decision([{ approvers: ['group:dba-leads'], count: 2 }]);
    const r = await working.service.open({
      action: ACTION,
      decision: fourEyes,
      requester: alice,
      timeoutMs: 1000,
    });
    await broken.audit.close({ closeStore: false });

    const opening = await refusal(broken.service.open({ action: ACTION, decision: LEADS, requester: alice }));
    expect(opening.code).toBe('ERR_APPROVAL_AUDIT_FAILED');
    expect((opening.cause as { code?: string }).code).toBe('ERR_AUDIT_CLOSED');
    expect(await working.service.list()).toHaveLength(1);

    expect((await refusal(broken.service.approve(r.id, bob))).code).toBe('ERR_APPROVAL_AUDIT_FAILED');
    expect((await refusal(broken.service.deny(r.id, bob, 'no'))).code).toBe('ERR_APPROVAL_AUDIT_FAILED');
    expect(await working.service.get(r.id)).toMatchObject({ state: 'pending', votes: [] });

    // The failed vote left no claim behind: the working gateway goes on at once.
    expect((await working.service.approve(r.id, bob)).state).toBe('pending');
    expect((await refusal(broken.service.approve(r.id, carol))).code).toBe('ERR_APPROVAL_AUDIT_FAILED');
    expect((await working.service.get(r.id))?.state).toBe('pending');

    env.clock.advance(1000);
    expect((await refusal(broken.service.sweep())).code).toBe('ERR_APPROVAL_AUDIT_FAILED');
    expect((await working.service.get(r.id))?.state).toBe('pending');
    expect(await working.service.sweep()).toBe(1);
    expect((await env.records()).map((e) => e.approval.state)).toEqual(['requested', 'requested', 'expired']);
  });

  it('lists requests by state and by who may vote on them', async () => {
    const env = await make();
    const { service } = await env.gateway('gw1');
    const leads = await service.open({ action: ACTION, decision: LEADS, requester: alice });
    env.clock.advance(1);
    const security = await service.open({
      action: ACTION,
      decision: decision([{ approvers: ['group:security'] }]),
      requester: alice,
    });
    env.clock.advance(1);
    const bobs = await service.open({
      action: { ...ACTION, identity: bob },
      decision: LEADS,
      requester: bob,
    });
    await service.approve(leads.id, carol);
    expect((await service.list()).map((r) => r.id)).toEqual([bobs.id, security.id, leads.id]);
    expect((await service.list({ state: 'pending' })).map((r) => r.id)).toEqual([bobs.id, security.id]);
    expect((await service.list({ state: 'approved' })).map((r) => r.id)).toEqual([leads.id]);
    expect((await service.list({ state: 'pending', approver: bob })).map((r) => r.id)).toEqual([]);
    expect((await service.list({ state: 'pending', approver: carol })).map((r) => r.id)).toEqual([bobs.id]);
    expect((await service.list({ approver: sam })).map((r) => r.id)).toEqual([security.id]);
    expect(await service.list({ limit: 1 })).toHaveLength(1);
  });
});

describe('ApprovalService on one SQLite file shared by two processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regate-approvals-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('wakes a waiter through its poll when another connection to the file approves', async () => {
    const path = join(dir, 'audit.db');
    const clock = new TestClock();
    // Two stores, two connections: what two gateway processes on one machine would have.
    const first = new SqliteStore({ path });
    const second = new SqliteStore({ path });
    const env1 = await makeEnv(first, clock, 'sqlite');
    const env2 = await makeEnv(second, clock, 'sqlite');
    const gw1 = await env1.gateway('gw1', { pollMs: 10 });
    const gw2 = await env2.gateway('gw2');
    const r = await gw1.service.open({ action: ACTION, decision: LEADS, requester: alice });
    const waiting = gw1.service.wait(r.id);
    expect(await settled(waiting)).toBe('still pending');
    expect((await gw2.service.approve(r.id, bob)).state).toBe('approved');
    expect(await waiting).toBe('approved');
    expect((await env1.records()).map((e) => [e.instance, e.approval.state])).toEqual([
      ['gw1', 'requested'],
      ['gw2', 'approved'],
    ]);
  });
});

describe('ApprovalService when the store fails', () => {
  it('rejects wait() with ERR_APPROVAL_STORE_UNAVAILABLE once the request is due and the store cannot be read', async () => {
    const clock = new TestClock();
    const store = new SqliteStore({ path: ':memory:' });
    const env = await makeEnv(store, clock, 'sqlite');
    const { service } = await env.gateway('gw1', { pollMs: 5 });
    const r = await service.open({ action: ACTION, decision: LEADS, requester: alice, timeoutMs: 1000 });
    const waiting = service.wait(r.id);
    expect(await settled(waiting)).toBe('still pending');
    store.db.close();
    clock.advance(1000);
    const err = await refusal(waiting);
    expect(err.code).toBe('ERR_APPROVAL_STORE_UNAVAILABLE');
    expect((await refusal(service.approve(r.id, bob))).code).toBe('ERR_APPROVAL_STORE_UNAVAILABLE');
  });
});
