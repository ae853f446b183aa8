/**
 * Approval requests in SQLite: two tables in the same better-sqlite3 database as the audit log, created
 * when missing. better-sqlite3 is synchronous, so every statement here is atomic with respect to this
 * process; across processes SQLite's write lock serializes them (the connection's busy timeout applies).
 *
 * Waking waiters: a commit emits on an EventEmitter shared by every store over the same Database object,
 * so services in one process wake at once; another process sharing the file sees the change on the
 * service's poll (see `pollMs` in service.ts).
 */
import { EventEmitter } from 'node:events';
import { sqliteFailure } from '@regate/audit';
import { ApprovalError } from './errors.js';
import type { ApprovalRequest, RequestState } from './request.js';
import {
  APPROVAL_SCHEMA,
  type ApprovalStore,
  type Change,
  type ClaimResult,
  fromRows,
  type ListQuery,
  listLimit,
  type NewRequest,
  REQUEST_COLUMNS,
  type RequestRow,
  type VoteRow,
} from './store.js';

/** The little of better-sqlite3's Database this store uses (so the package does not depend on it). */
export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  readonly name: string;
  readonly open: boolean;
}

export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

const emitters = new WeakMap<object, EventEmitter>();

function emitterFor(db: object): EventEmitter {
  let e = emitters.get(db);
  if (!e) {
    e = new EventEmitter();
    e.setMaxListeners(0);
    emitters.set(db, e);
  }
  return e;
}

export class SqliteApprovalStore implements ApprovalStore {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  readonly #db: SqliteDatabase;
  readonly #events: EventEmitter;

  /** `db`: the audit store's connection (`SqliteStore.db`), or any better-sqlite3 Database. */
  constructor(db: SqliteDatabase, options: { location?: string } = {}) {
    this.#db = db;
    this.location = options.location ?? db.name;
    this.#events = emitterFor(db);
  }

  #run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(unavailable(err, this.location));
    }
  }

  init(): Promise<void> {
    return this.#run(() => {
      this.#db.exec(APPROVAL_SCHEMA.join(';\n'));
    });
  }

  hasTables(): Promise<boolean> {
    return this.#run(() => {
      const row = this.#db
        .prepare(
          "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('approval_requests', 'approval_votes')",
        )
        .get() as { n: number };
      return row.n === 2;
    });
  }

  insert(r: NewRequest): Promise<void> {
    return this.#run(() => {
      this.#db
        .prepare(
          `INSERT INTO approval_requests (id, state, action, requester, requirements, reasons, created_at, expires_at)
           VALUES (?, 'pending', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.id,
          JSON.stringify(r.action),
          JSON.stringify(r.requester),
          JSON.stringify(r.requirements),
          JSON.stringify(r.reasons),
          r.created_at,
          r.expires_at,
        );
    });
  }

  #votes(ids: readonly string[]): Map<string, VoteRow[]> {
    const byId = new Map<string, VoteRow[]>();
    if (ids.length === 0) return byId;
    const rows = this.#db
      .prepare(
        `SELECT request_id, subject, identity, vote, reason, at FROM approval_votes
         WHERE request_id IN (${ids.map(() => '?').join(', ')}) ORDER BY request_id, ordinal`,
      )
      .all(...ids) as VoteRow[];
    for (const v of rows) {
      const list = byId.get(v.request_id);
      if (list) list.push(v);
      else byId.set(v.request_id, [v]);
    }
    return byId;
  }

  get(id: string): Promise<ApprovalRequest | undefined> {
    return this.#run(() => {
      const row = this.#db.prepare(`SELECT ${REQUEST_COLUMNS} FROM approval_requests WHERE id = ?`).get(id) as
        | RequestRow
        | undefined;
      return row ? fromRows(row, this.#votes([id]).get(id) ?? []) : undefined;
    });
  }

  list(query: ListQuery): Promise<ApprovalRequest[]> {
    return this.#run(() => {
      const where = query.state === undefined ? '' : 'WHERE state = ?';
      const params: unknown[] = query.state === undefined ? [] : [query.state];
      const rows = this.#db
        .prepare(
          `SELECT ${REQUEST_COLUMNS} FROM approval_requests ${where} ORDER BY created_at DESC, id LIMIT ?`,
        )
        .all(...params, listLimit(query)) as RequestRow[];
      const votes = this.#votes(rows.map((r) => r.id));
      return rows.map((r) => fromRows(r, votes.get(r.id) ?? []));
    });
  }

  states(ids: readonly string[]): Promise<Map<string, RequestState>> {
    return this.#run(() => {
      const out = new Map<string, RequestState>();
      if (ids.length === 0) return out;
      const rows = this.#db
        .prepare(`SELECT id, state FROM approval_requests WHERE id IN (${ids.map(() => '?').join(', ')})`)
        .all(...ids) as { id: string; state: RequestState }[];
      for (const r of rows) out.set(r.id, r.state);
      return out;
    });
  }

  due(now: string, limit: number): Promise<string[]> {
    return this.#run(() =>
      (
        this.#db
          .prepare(
            "SELECT id FROM approval_requests WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
          )
          .all(now, limit) as { id: string }[]
      ).map((r) => r.id),
    );
  }

  claim(id: string, token: string, now: string, until: string): Promise<ClaimResult> {
    return this.#run(() => {
      const { changes } = this.#db
        .prepare(
          `UPDATE approval_requests SET claim = ?, claim_until = ?
           WHERE id = ? AND state = 'pending' AND (claim IS NULL OR claim_until <= ?)`,
        )
        .run(token, until, id, now);
      if (changes === 1) return 'claimed';
      const row = this.#db.prepare('SELECT state FROM approval_requests WHERE id = ?').get(id) as
        | { state: RequestState }
        | undefined;
      if (!row) return 'missing';
      return row.state === 'pending' ? 'busy' : 'closed';
    });
  }

  release(id: string, token: string): Promise<void> {
    return this.#run(() => {
      this.#db
        .prepare('UPDATE approval_requests SET claim = NULL, claim_until = NULL WHERE id = ? AND claim = ?')
        .run(id, token);
    });
  }

  commit(id: string, token: string, change: Change): Promise<boolean> {
    return this.#run(() => {
      const done = this.#db.transaction(() => {
        const { changes } = this.#db
          .prepare(
            `UPDATE approval_requests SET claim = NULL, claim_until = NULL,
               state = coalesce(?, state), decided_at = coalesce(?, decided_at),
               decided_by = coalesce(?, decided_by), decision_reason = coalesce(?, decision_reason)
             WHERE id = ? AND claim = ? AND state = 'pending'`,
          )
          .run(
            change.state ?? null,
            change.decided_at ?? null,
            change.decided_by ?? null,
            change.decision_reason ?? null,
            id,
            token,
          );
        if (changes !== 1) return false;
        const v = change.vote;
        if (v) {
          this.#db
            .prepare(
              `INSERT INTO approval_votes (request_id, ordinal, subject, identity, vote, reason, at)
               VALUES (?, (SELECT count(*) + 1 FROM approval_votes WHERE request_id = ?), ?, ?, ?, ?, ?)`,
            )
            .run(id, id, v.subject, JSON.stringify(v.identity), v.vote, v.reason ?? null, v.at);
        }
        return true;
      })();
      if (done) this.#events.emit('change', id);
      return done;
    });
  }

  subscribe(onChange: (id: string) => void): Promise<() => Promise<void>> {
    this.#events.on('change', onChange);
    return Promise.resolve(async () => {
      this.#events.off('change', onChange);
    });
  }
}

function unavailable(err: unknown, location: string): ApprovalError {
  if (err instanceof ApprovalError) return err;
  const e = err as { code?: string; message?: string };
  const why = sqliteFailure(err);
  return new ApprovalError(
    'ERR_APPROVAL_STORE_UNAVAILABLE',
    `the SQLite approval store ${location} failed: ${why}${e.code ? ` (${e.code})` : ''}`,
    { cause: err },
  );
}
