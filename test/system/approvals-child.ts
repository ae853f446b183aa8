/**
 * One gateway process for approvals-postgres.test.ts, on a real PostgreSQL store. Prints one JSON line
 * per step on stdout.
 *
 *   open <url> <instance> <count>   open a request for alice (count approvers of group:dba-leads), print
 *                                   {"id"}, wait for it with polling off (only NOTIFY can wake it), print
 *                                   {"outcome"}
 *   vote <url> <instance> <id> <approve|deny> <subject> <groups,...>
 *                                   vote, print {"state"} or {"error": code}
 */
import type { Action, Identity } from '@regate/action';
import { ApprovalError, ApprovalService, approvalStoreFor } from '@regate/approvals';
import { AuditLog, generateSigningKey, PostgresStore, pgClient } from '@regate/audit';

const [mode, url, instance, ...rest] = process.argv.slice(2);
if (!mode || !url || !instance) throw new Error('usage: approvals-child.ts open|vote <url> <instance> ...');

const alice: Identity = { subject: 'alice', groups: ['dev'], type: 'user' };
const ACTION: Action = {
  id: 'act_sys',
  time: new Date().toISOString(),
  kind: 'sql.query',
  protocol: 'postgres',
  identity: alice,
  session: { id: 'ses_sys' },
  target: { name: 'orders-db', type: 'postgres' },
  sql: { text: 'DELETE FROM customers WHERE id = 42', statements: [] },
};

const store = new PostgresStore({ client: pgClient(url) });
const audit = await AuditLog.open({ store, instance, key: generateSigningKey(), checkpointIntervalMs: 0 });
const service = await ApprovalService.start({
  store: approvalStoreFor(store),
  audit,
  sweepIntervalMs: 0,
  pollMs: 0,
});
const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

try {
  if (mode === 'open') {
    const count = Number(rest[0] ?? '1');
    const request = await service.open({
      action: ACTION,
      decision: {
        effect: 'require_approval',
        reasons: ['write to prod'],
        mask: [],
        approvals: [{ approvers: ['group:dba-leads'], count }],
        policy: { revision: 'sys' },
      },
      requester: alice,
      timeoutMs: 120_000,
    });
    say({ id: request.id });
    say({ outcome: await service.wait(request.id) });
  } else if (mode === 'vote') {
    const [id, kind, subject, groups] = rest;
    if (!id || !subject || (kind !== 'approve' && kind !== 'deny'))
      throw new Error('vote needs <id> <approve|deny> <subject>');
    const who: Identity = { subject, groups: (groups ?? '').split(',').filter(Boolean), type: 'user' };
    try {
      const after = kind === 'approve' ? await service.approve(id, who) : await service.deny(id, who, 'no');
      say({ state: after.state });
    } catch (err) {
      if (!(err instanceof ApprovalError)) throw err;
      say({ error: err.code });
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await service.close();
  await audit.close();
}
