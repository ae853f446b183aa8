import { join } from 'node:path';
import type { ActionEvent, AuditRecord, NewRecord } from '@regate/audit';
import { AuditLog, generateSigningKey, recordOf, SqliteStore, verifyChain } from '@regate/audit';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditRecorder } from './audit-recorder.js';
import { createLogger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { removeTempTrees, tempTree } from './test-support.js';

afterAll(removeTempTrees);

const action = (id: string): ActionEvent => ({
  type: 'action',
  action: {
    id,
    time: '2026-11-23T10:00:00.000Z',
    kind: 'http.request',
    protocol: 'http',
    identity: { subject: 'alice', groups: ['admins'], type: 'user' },
    session: { id: 'ses-1' },
    target: { name: 'api', type: 'http' },
    http: { method: 'GET', path: '/customers/1' },
  },
  decision: { effect: 'allow', reasons: [], mask: [], approvals: [], policy: { revision: 'r1' } },
  outcome: 'forwarded',
});

async function hasCorrection(store: SqliteStore): Promise<boolean> {
  for await (const page of store.scan('gw'))
    if (page.some((r) => r.body.includes('"outcome":"error"'))) return true;
  return false;
}

describe('AuditRecorder', () => {
  it('records a refusal once the store is back when an action record timed out, even if the late write landed', async () => {
    const path = join(tempTree(), 'audit.db');
    const store = new SqliteStore({ path });
    // The fault: one commit that the store completes only after the log has given up on it (a disk
    // that stalls). The write still lands, as it can with a real stalled disk.
    const append = store.append.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let landed: Promise<void> | undefined;
    store.append = (rows: readonly NewRecord[]) => {
      if (landed !== undefined) return append(rows);
      landed = gate.then(() => append(rows));
      return landed;
    };
    const log = await AuditLog.open({ store, key: generateSigningKey(), instance: 'gw', timeoutMs: 100 });
    const recorder = new AuditRecorder({
      log,
      metrics: new GatewayMetrics(),
      logger: createLogger({ level: 'error', write: () => {} }),
      clock: () => new Date(),
      now: () => performance.now(),
    });

    await expect(recorder.append(action('act-1'))).rejects.toMatchObject({ code: 'ERR_AUDIT_STORE_TIMEOUT' });
    expect(recorder.health().ok).toBe(false);
    // The stalled write lands after all; then the next action is recorded, and the refusal of act-1
    // follows it.
    release();
    await landed;
    await recorder.append(action('act-2'));
    for (let i = 0; i < 100 && !(await hasCorrection(store)); i++) await log.drain();
    expect(recorder.health().ok).toBe(true);
    await log.close({ closeStore: false });

    const records: AuditRecord[] = [];
    for await (const page of store.scan('gw')) records.push(...page.map(recordOf));
    const about1 = records.filter((r) => r.type === 'action' && r.action.id === 'act-1');
    expect(about1.map((r) => (r.type === 'action' ? r.outcome : ''))).toEqual(['forwarded', 'error']);
    const correction = about1[1] as Extract<AuditRecord, { type: 'action' }>;
    expect(correction.error).toMatch(/refused and not forwarded: .*ERR_AUDIT_STORE_TIMEOUT/);
    expect((await verifyChain(store, 'gw')).ok).toBe(true);
    await store.close();
  });
});
