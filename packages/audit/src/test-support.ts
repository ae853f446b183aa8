/** Shared by this package's tests: events and a log over a fresh SQLite file. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action, Decision } from '@regate/action';
import { generateSigningKey, type SigningKey } from './keys.js';
import { AuditLog, type AuditLogOptions } from './log.js';
import type { ActionEvent } from './record.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

export function tempDir(prefix = 'regate-audit-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function sqlAction(i: number, overrides: Partial<Action> = {}): Action {
  return {
    id: `act-${i}`,
    time: '2026-11-23T10:00:00.000Z',
    kind: 'sql.query',
    protocol: 'postgres',
    identity: {
      subject: i % 2 ? 'alice' : 'bob',
      email: `${i % 2 ? 'alice' : 'bob'}@example.com`,
      groups: i % 2 ? ['dba'] : ['support'],
      type: 'user',
    },
    session: { id: `s-${i % 3}` },
    target: { name: i % 2 ? 'prod-db' : 'staging-db', type: 'postgres', database: 'app' },
    sql: {
      text: `SELECT * FROM orders WHERE id = ${i}`,
      statements: [{ type: 'select', tables: [{ name: 'orders', access: 'read' }], columns: [] }],
    },
    ...overrides,
  };
}

export function decision(effect: Decision['effect'] = 'allow', reasons: string[] = []): Decision {
  return { effect, reasons, mask: [], approvals: [], policy: { revision: 'rev-1' } };
}

export function actionEvent(i: number, overrides: Partial<ActionEvent> = {}): ActionEvent {
  const d = decision(i % 4 === 0 ? 'block' : 'allow', i % 4 === 0 ? ['DELETE without WHERE'] : []);
  return {
    type: 'action',
    action: sqlAction(i),
    decision: d,
    outcome: d.effect === 'block' ? 'blocked' : 'forwarded',
    ...overrides,
  };
}

/** A clock that starts at `start` and moves one second per call. */
export function steppingClock(start = '2026-11-23T10:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

export async function openLog(
  options: Partial<Omit<AuditLogOptions, 'store'>> & {
    path?: string;
    sqlite?: Partial<SqliteStoreOptions>;
  } = {},
): Promise<{ log: AuditLog; store: SqliteStore; key: SigningKey; path: string }> {
  const path = options.path ?? join(tempDir(), 'audit.db');
  const { sqlite, ...logOptions } = options;
  const store = new SqliteStore({ path, ...sqlite });
  const key = options.key ?? generateSigningKey();
  const log = await AuditLog.open({
    instance: 'gw-1',
    checkpointIntervalMs: 0,
    clock: steppingClock(),
    ...logOptions,
    store,
    key,
  });
  return { log, store, key, path };
}

/**
 * Real disk faults need a file system that fills up or turns read-only: a small tmpfs. Mounting needs
 * root, which CI has (.ci/run runs as root); elsewhere mountTmpfs answers undefined and the tests that
 * need it are reported as skipped, with TMPFS_NEEDS as the reason. Call unmountTmpfs in afterAll.
 */
export const TMPFS_NEEDS = 'needs root to mount a tmpfs (CI runs as root)';

const mounts: string[] = [];

export function mountTmpfs(sizeKb: number): string | undefined {
  const dir = join(tempDir('regate-fault-'), 'mnt');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(dir);
  return dir;
}

export function unmountTmpfs(): void {
  for (const dir of mounts.splice(0)) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
