/**
 * `regate approvals` as an approver runs it: a real SQLite store holding requests a gateway opened (here,
 * the approval service in this process), and the real `regate` binary voting on them.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Action, ApprovalRequirement, Decision, Identity } from '@regate/action';
import { ApprovalService, approvalStoreFor } from '@regate/approvals';
import { type ApprovalEvent, AuditLog, loadOrCreateSigningKey, SqliteStore } from '@regate/audit';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanup, regate, tree } from './test-support.js';

vi.setConfig({ testTimeout: 180_000 });
afterAll(cleanup);

const alice: Identity = { subject: 'alice', groups: ['dev'], type: 'user' };

const ACTION: Action = {
  id: 'act_1',
  time: '2026-11-23T10:00:00.000Z',
  kind: 'sql.query',
  protocol: 'postgres',
  identity: alice,
  session: { id: 'ses_1' },
  target: { name: 'orders-db', type: 'postgres' },
  sql: {
    text: 'DELETE FROM customers\n  WHERE id = 42',
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

const LEADS = decision([{ approvers: ['group:dba-leads'] }]);

/** A directory whose .regate/audit.db holds the requests a gateway opened for these decisions. */
async function gatewayStore(decisions: Decision[]): Promise<{ dir: string; ids: string[] }> {
  const dir = tree({ 'README.txt': 'a gateway working directory\n' });
  mkdirSync(join(dir, '.regate'));
  const store = new SqliteStore({ path: join(dir, '.regate/audit.db') });
  const audit = await AuditLog.open({
    store,
    instance: 'gw1',
    // The gateway's key, where the CLI looks for it by default.
    key: loadOrCreateSigningKey(join(dir, '.regate/audit-key.pem')),
    checkpointIntervalMs: 0,
  });
  const service = await ApprovalService.start({
    store: approvalStoreFor(store),
    audit,
    sweepIntervalMs: 0,
    pollMs: 0,
  });
  const ids: string[] = [];
  for (const d of decisions)
    ids.push(
      (await service.open({ action: ACTION, decision: d, requester: alice, timeoutMs: 3_600_000 })).id,
    );
  await service.close();
  await audit.close();
  return { dir, ids };
}

/** The approval records in the directory's store, oldest first. */
async function approvalRecords(dir: string): Promise<(ApprovalEvent & { instance: string })[]> {
  const store = new SqliteStore({ path: join(dir, '.regate/audit.db') });
  await store.init();
  try {
    const page = await store.search({ type: 'approval', order: 'asc', limit: 100 });
    return page.records.map((r) => JSON.parse(r.body) as ApprovalEvent & { instance: string });
  } finally {
    await store.close();
  }
}

describe('regate approvals', () => {
  it.concurrent('says in --help that the identity comes from --as until the admin API with OIDC', async () => {
    const r = await regate(['approvals', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('regate approvals approve <id> --as <subject>');
    expect(r.stdout).toContain('OIDC token');
    const top = await regate(['--help']);
    expect(top.stdout).toContain('approvals  list approval requests, approve or deny them');
  });

  it.concurrent('lists pending requests with what waits and who must approve it', async () => {
    const { dir, ids } = await gatewayStore([LEADS]);
    const r = await regate(['approvals', 'list'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `${ids[0]}  pending\n  sql.query on orders-db by alice, session ses_1\n  DELETE FROM customers WHERE id = 42\n  why: write to prod\n`,
    );
    expect(r.stdout).toContain('  needs: 1 of group:dba-leads\n  waiting for: 1 more of group:dba-leads\n');
    const json = await regate(['approvals', 'list', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject([
      { id: ids[0], state: 'pending', requester: alice, action: ACTION },
    ]);
    const notMine = await regate(['approvals', 'list', '--as', 'eve', '--groups', 'dev'], { cwd: dir });
    expect(notMine.stdout).toBe('no pending approval requests that eve may vote on\n');
    const approved = await regate(['approvals', 'list', '--state', 'approved'], { cwd: dir });
    expect(approved.stdout).toBe('no approved approval requests\n');
  });

  it.concurrent('lists nothing, and creates nothing, when no request was ever opened in the store', async () => {
    const dir = tree({ 'x.txt': '' });
    mkdirSync(join(dir, '.regate'));
    const store = new SqliteStore({ path: join(dir, '.regate/audit.db') });
    await store.init();
    await store.close();
    const r = await regate(['approvals', 'list', '--format', 'json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('[]\n');
    const check = new SqliteStore({ path: join(dir, '.regate/audit.db') });
    const tables = check.db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'approval%'").all();
    await check.close();
    expect(tables).toEqual([]);
  });

  it.concurrent('refuses the requester and a non-approver, then approves as a group approver', async () => {
    const { dir, ids } = await gatewayStore([LEADS]);
    const id = ids[0]!;
    const self = await regate(['approvals', 'approve', id, '--as', 'alice', '--groups', 'dba-leads'], {
      cwd: dir,
    });
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('[ERR_APPROVAL_SELF_APPROVAL]');
    expect(self.stderr).toContain('nobody approves their own request');
    const eve = await regate(['approvals', 'approve', id, '--as', 'eve', '--groups', 'dev'], { cwd: dir });
    expect(eve.code).toBe(1);
    expect(eve.stderr).toContain(
      `eve is not an approver of request ${id}; it needs 1 of group:dba-leads [ERR_APPROVAL_NOT_APPROVER]`,
    );
    const bob = await regate(
      ['approvals', 'approve', id, '--as', 'bob', '--groups', 'dba-leads', '--reason', 'ticket OPS-42'],
      { cwd: dir },
    );
    expect(bob.stderr).toBe('');
    expect(bob.code).toBe(0);
    expect(bob.stdout).toBe(`${id} approved: bob's vote completed it (1 of group:dba-leads)\n`);
    const again = await regate(['approvals', 'approve', id, '--as', 'carol', '--groups', 'dba-leads'], {
      cwd: dir,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is already approved (by bob) [ERR_APPROVAL_NOT_PENDING]');
    const records = await approvalRecords(dir);
    expect(records.map((e) => [e.instance, e.approval.state, e.approval.by, e.approval.reason])).toEqual([
      ['gw1', 'requested', undefined, 'write to prod'],
      [`regate-cli@${hostname()}`, 'approved', 'bob', 'ticket OPS-42'],
    ]);
  });

  it.concurrent('needs two different approvers when the policy asks for two', async () => {
    const { dir, ids } = await gatewayStore([decision([{ approvers: ['group:dba-leads'], count: 2 }])]);
    const id = ids[0]!;
    const first = await regate(['approvals', 'approve', id, '--as', 'bob', '--groups', 'dba-leads'], {
      cwd: dir,
    });
    expect(first.stdout).toBe(
      `bob's approval of ${id} is recorded; it still waits for 1 more of group:dba-leads\n`,
    );
    const twice = await regate(['approvals', 'approve', id, '--as', 'bob', '--groups', 'dba-leads'], {
      cwd: dir,
    });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('[ERR_APPROVAL_ALREADY_VOTED]');
    const second = await regate(['approvals', 'approve', id, '--as', 'carol', '--groups', 'dba-leads'], {
      cwd: dir,
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${id} approved`);
    const list = await regate(['approvals', 'list', '--state', 'approved'], { cwd: dir });
    expect(list.stdout).toContain('  approved by bob at ');
    expect(list.stdout).toContain('  approved by carol at ');
  });

  it.concurrent('denies with the reason, and refuses a deny without one', async () => {
    const { dir, ids } = await gatewayStore([LEADS]);
    const id = ids[0]!;
    const bare = await regate(['approvals', 'deny', id, '--as', 'bob', '--groups', 'dba-leads'], {
      cwd: dir,
    });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('regate approvals deny needs --reason');
    const r = await regate(
      ['approvals', 'deny', id, '--as', 'bob', '--groups', 'dba-leads', '--reason', 'not during the freeze'],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${id} denied by bob: not during the freeze\n`);
    expect((await approvalRecords(dir)).at(-1)?.approval).toEqual({
      id,
      state: 'denied',
      by: 'bob',
      reason: 'not during the freeze',
    });
  });

  it.concurrent('says what to do when the store is missing, the id is unknown or the usage is wrong', async () => {
    const empty = tree({ 'x.txt': '' });
    const missing = await regate(['approvals', 'list'], { cwd: empty });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "there is no audit store at .regate/audit.db: give the gateway's store with --store",
    );
    const { dir } = await gatewayStore([]);
    const unknown = await regate(['approvals', 'approve', 'apr_nope', '--as', 'bob'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[ERR_APPROVAL_NOT_FOUND]');
    const noWho = await regate(['approvals', 'approve', 'apr_nope'], { cwd: dir });
    expect(noWho.stderr).toContain('say who you are with --as <subject>');
    const noKey = await regate(
      ['approvals', 'approve', 'apr_nope', '--as', 'bob', '--key', 'elsewhere.pem'],
      {
        cwd: dir,
      },
    );
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain(
      "there is no signing key at elsewhere.pem: the CLI's audit records are signed",
    );
    const sub = await regate(['approvals', 'grant'], { cwd: dir });
    expect(sub.code).toBe(1);
    expect(sub.stderr).toContain(
      "unknown subcommand 'grant' for 'regate approvals': use one of list, show, approve, deny",
    );
  });
});
