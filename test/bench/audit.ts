/**
 * `npm run bench:audit` — the audit trail's throughput (issue 5):
 * - appends/s and p50/p99 append latency with 1 and 64 concurrent writers, in both durability modes,
 *   on SQLite (a file in a temporary directory) and on PostgreSQL (the server at REGATE_PG_URL when it
 *   is set, else a throwaway cluster of the Debian server started with scripts/ci-postgres.sh, else
 *   embedded PGlite, marked as such);
 * - the baseline measured in the same run on the same events: a bare better-sqlite3 INSERT of each
 *   event's JSON into a one-column table, batched 64 per commit with the same `synchronous` setting —
 *   what any SQLite-backed log pays before masking, hashing, chaining and indexing;
 * - verify speed in records/s over the log the SQLite process run wrote;
 * - mask throughput: result rows/s through a compiled row masker, and statements/s through the audit
 *   redaction of SQL text (uncached).
 *
 * Events are built from the decision benchmark's corpus of varied actions (all three protocols), with a
 * decision, an outcome and result metadata each, plus session and terminal events.
 *
 * Options: --seconds <s> per case (default 2), --json.
 * `npm run bench:audit` builds the packages first and measures the compiled JavaScript in dist/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action, Decision, Effect } from '@regate/action';
import {
  type AuditEvent,
  AuditLog,
  type AuditStore,
  type Durability,
  generateSigningKey,
  PostgresStore,
  pgClient,
  pgliteClient,
  type SqlClient,
  SqliteStore,
  verifyChain,
} from '@regate/audit';
import { compileMasker, redactForAudit } from '@regate/mask';
import Database from 'better-sqlite3';
import { corpus } from './corpus.js';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 0) || 2;
const asJson = args.includes('--json');

const actions = corpus(10_000);
const EFFECTS: Effect[] = ['block', 'allow', 'mask', 'allow', 'block', 'require_approval'];

function eventAt(i: number): AuditEvent {
  const action = actions[i % actions.length] as Action;
  if (i % 40 === 0)
    return {
      type: 'session.start',
      session: action.session.id,
      identity: action.identity,
      target: action.target.name,
      protocol: action.protocol,
    };
  if (i % 40 === 1)
    return { type: 'session.end', session: action.session.id, reason: 'client closed the connection' };
  if (i % 40 === 2)
    return {
      type: 'terminal',
      session: action.session.id,
      events: [[i / 1000, 'o', `total 12\r\ndrwxr-xr-x 2 app app 4096 Nov 22 10:00 logs\r\n`]],
    };
  const effect = EFFECTS[i % EFFECTS.length] as Effect;
  const decision: Decision = {
    effect,
    reasons:
      effect === 'block'
        ? [`${action.kind} on ${action.target.name} is not allowed for ${action.identity.subject}`]
        : [],
    mask: effect === 'mask' ? [{ column: 'email', strategy: 'partial' }] : [],
    approvals: effect === 'require_approval' ? [{ approvers: ['group:dba-leads'], count: 2 }] : [],
    policy: { revision: 'sha256:0bf4438f6f6c' },
  };
  const outcome =
    effect === 'block' ? 'blocked' : effect === 'require_approval' ? 'approval_requested' : 'forwarded';
  return {
    type: 'action',
    action,
    decision,
    outcome,
    ...(outcome === 'forwarded' ? { result: { rows: i % 50, bytes: 120 * (i % 50), duration_ms: 1.5 } } : {}),
  };
}

interface Row {
  case: string;
  appendsPerSec: number;
  p50us: number;
  p99us: number;
  ratio?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function runLog(
  store: AuditStore,
  writers: number,
  instance = `bench-${writers}`,
): Promise<{ perSec: number; p50: number; p99: number; n: number }> {
  const log = await AuditLog.open({
    store,
    key: generateSigningKey(),
    instance,
    checkpointIntervalMs: 1000,
  });
  let next = 0;
  const latencies: number[] = [];
  // Warm up (JIT, statement caches), then measure for `seconds`.
  for (let i = 0; i < 2000; i++) await log.append(eventAt(next++));
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await log.append(eventAt(next++));
        latencies.push(performance.now() - t);
        count++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  await log.close({ closeStore: false });
  const sorted = Float64Array.from(latencies).sort();
  return {
    perSec: count / elapsed,
    p50: percentile(sorted, 0.5) * 1000,
    p99: percentile(sorted, 0.99) * 1000,
    n: count,
  };
}

function baselineSqlite(dir: string, durability: Durability): number {
  const db = new Database(join(dir, `baseline-${durability}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'strict' ? 'FULL' : 'NORMAL'}`);
  db.exec('CREATE TABLE log (body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO log (body) VALUES (?)');
  const batch = db.transaction((bodies: string[]) => {
    for (const b of bodies) insert.run(b);
  });
  let i = 0;
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const bodies: string[] = [];
    for (let k = 0; k < 64; k++) bodies.push(JSON.stringify(eventAt(i++)));
    batch(bodies);
    count += 64;
  }
  const perSec = count / ((performance.now() - start) / 1000);
  db.close();
  return perSec;
}

async function postgresForBench(): Promise<{
  label: string;
  client: () => SqlClient;
  done: () => Promise<void>;
}> {
  const url = process.env.REGATE_PG_URL;
  if (url) return { label: 'postgres', client: () => pgClient(url), done: async () => {} };
  try {
    const out = execFileSync('scripts/ci-postgres.sh', {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const env = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => l.split('=', 2) as [string, string]),
    );
    const ctl = env.REGATE_PG_CTL as string;
    return {
      label: 'postgres',
      client: () => pgClient(env.REGATE_PG_URL as string),
      done: async () => {
        execFileSync(ctl, ['destroy'], { stdio: 'ignore' });
      },
    };
  } catch {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create();
    return { label: 'pglite (embedded)', client: () => pgliteClient(db), done: () => db.close() };
  }
}

const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'regate-bench-audit-'));
try {
  for (const durability of ['process', 'strict'] as const) {
    const baseline = baselineSqlite(dir, durability);
    rows.push({
      case: `baseline: bare SQLite INSERT, ${durability}`,
      appendsPerSec: baseline,
      p50us: 0,
      p99us: 0,
    });
    for (const writers of [1, 64]) {
      const store = new SqliteStore({ path: join(dir, `audit-${durability}.db`), durability });
      await store.init();
      const r = await runLog(store, writers);
      await store.close();
      rows.push({
        case: `sqlite ${durability}, ${writers} writer${writers > 1 ? 's' : ''}`,
        appendsPerSec: r.perSec,
        p50us: r.p50,
        p99us: r.p99,
        ratio: r.perSec / baseline,
      });
    }
  }

  // PostgreSQL: the server at REGATE_PG_URL, else a throwaway Debian cluster (scripts/ci-postgres.sh),
  // else embedded PGlite (WASM in this process: not a server's figure, and marked as such).
  const pg = await postgresForBench();
  for (const durability of ['process', 'strict'] as const) {
    for (const writers of [1, 64]) {
      const store = new PostgresStore({ client: pg.client(), durability });
      await store.init();
      const r = await runLog(store, writers, `bench-${durability}-${writers}-${Date.now()}`);
      await store.close();
      rows.push({
        case: `${pg.label} ${durability}, ${writers} writer${writers > 1 ? 's' : ''}`,
        appendsPerSec: r.perSec,
        p50us: r.p50,
        p99us: r.p99,
      });
    }
  }
  await pg.done();

  const store = new SqliteStore({ path: join(dir, 'audit-process.db') });
  await store.init();
  const t = performance.now();
  let verified = 0;
  for (const instance of await store.instances()) {
    const report = await verifyChain(store, instance);
    if (!report.ok) throw new Error(`bench log does not verify: ${report.problems[0]?.message}`);
    verified += report.records;
  }
  const verifyPerSec = verified / ((performance.now() - t) / 1000);
  await store.close();

  // Mask throughput: 10-column rows through a row masker with a column rule and every detector.
  const masker = compileMasker(
    [
      { column: 'email', strategy: 'partial' },
      { detector: 'credit_card' },
      { detector: 'email' },
      { detector: 'ssn' },
    ],
    { hashKey: Buffer.alloc(32, 7) },
  );
  const columns = [
    'id',
    'name',
    'email',
    'card',
    'phone',
    'city',
    'note',
    'created_at',
    'amount',
    'status',
  ].map((name) => ({ name }));
  const rowMasker = masker.rowMasker(columns);
  const sample = (i: number) => [
    String(i),
    'Jane Doe',
    `jane${i}@example.com`,
    '4111 1111 1111 1111',
    '+1 415 555 2671',
    'Lyon',
    'called about order 42',
    '2026-11-22 10:00:00',
    '12.50',
    'paid',
  ];
  let masked = 0;
  const mt = performance.now();
  while (performance.now() - mt < seconds * 500) {
    for (let k = 0; k < 100; k++) rowMasker.mask(sample(masked++));
  }
  const rowsPerSec = masked / ((performance.now() - mt) / 1000);
  let statements = 0;
  const st = performance.now();
  while (performance.now() - st < seconds * 500) {
    for (let k = 0; k < 100; k++)
      redactForAudit(
        `SELECT * FROM customers WHERE email = 'x${statements++}@example.com' AND card = '4111111111111111'`,
        'sql',
      );
  }
  const statementsPerSec = statements / ((performance.now() - st) / 1000);

  if (asJson) {
    console.log(
      JSON.stringify(
        { rows, verifyPerSec, maskRowsPerSec: rowsPerSec, redactStatementsPerSec: statementsPerSec },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `node ${process.version}; ${seconds} s per case; events from ${actions.length} varied actions\n`,
    );
    console.log(
      `${'case'.padEnd(40)}${'appends/s'.padStart(12)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}${'vs baseline'.padStart(13)}`,
    );
    for (const r of rows)
      console.log(
        `${r.case.padEnd(44)}${Math.round(r.appendsPerSec).toLocaleString('en-US').padStart(12)}${(r.p50us ? r.p50us.toFixed(0) : '-').padStart(10)}${(r.p99us ? r.p99us.toFixed(0) : '-').padStart(10)}${(r.ratio ? `${r.ratio.toFixed(2)}x` : '').padStart(13)}`,
      );
    console.log(`\nverify: ${Math.round(verifyPerSec).toLocaleString('en-US')} records/s`);
    console.log(
      `mask: ${Math.round(rowsPerSec).toLocaleString('en-US')} rows/s (10 columns, column rule + 3 detectors); audit SQL redaction ${Math.round(statementsPerSec).toLocaleString('en-US')} statements/s`,
    );
    console.log(
      'targets (SQLite): >= 50,000 appends/s process, >= 20,000 strict at 64 writers; verify >= 200,000 records/s',
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
