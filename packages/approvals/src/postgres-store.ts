/**
 * Approval requests in PostgreSQL: two tables in the audit log's database, created when missing, shared
 * by every gateway instance. Each change is one statement or one transaction; a commit NOTIFYs
 * `regate_approvals` with the request id (delivered when the transaction commits), and every service
 * LISTENs on it, so the gateway holding a request wakes as soon as another instance approves it.
 */
import type { SqlClient, SqlQueryable } from '@regate/audit';
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

/** The NOTIFY channel; the payload is the request id. */
export const APPROVALS_CHANNEL = 'regate_approvals';

/** What init() creates. */
const OBJECTS = ['approval_requests', 'approval_requests_due', 'approval_requests_created', 'approval_votes'];

/** Held (per transaction) while creating the tables; distinct from the audit store's lock. */
const SCHEMA_LOCK = 7_526_759_183_320_472;

export class PostgresApprovalStore implements ApprovalStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly #client: SqlClient;

  /** `client`: the audit store's client (`PostgresStore.client`), or any SqlClient. */
  constructor(client: SqlClient) {
    this.#client = client;
    this.location = client.location;
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw unavailable(err, this.location);
    }
  }

  hasTables(): Promise<boolean> {
    return this.#run(() => exists(this.#client));
  }

  init(): Promise<void> {
    return this.#run(async () => {
      // When everything exists nothing is created, so a role without CREATE can run the gateway.
      if (await exists(this.#client)) return;
      // One transaction under a lock, so two gateways starting at once do not race on CREATE.
      await this.#client.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        if (await exists(tx)) return;
        for (const statement of APPROVAL_SCHEMA) await tx.query(statement);
      });
    });
  }

  insert(r: NewRequest): Promise<void> {
    return this.#run(async () => {
      await this.#client.query(
        `INSERT INTO approval_requests (id, state, action, requester, requirements, reasons, created_at, expires_at)
         VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7)`,
        [
          r.id,
          JSON.stringify(r.action),
          JSON.stringify(r.requester),
          JSON.stringify(r.requirements),
          JSON.stringify(r.reasons),
          r.created_at,
          r.expires_at,
        ],
      );
    });
  }

  async #votes(ids: readonly string[]): Promise<Map<string, VoteRow[]>> {
    const byId = new Map<string, VoteRow[]>();
    if (ids.length === 0) return byId;
    const { rows } = await this.#client.query<VoteRow & Record<string, unknown>>(
      `SELECT request_id, subject, identity, vote, reason, at FROM approval_votes
       WHERE request_id = ANY($1::text[]) ORDER BY request_id, ordinal`,
      [ids],
    );
    for (const v of rows) {
      const list = byId.get(v.request_id);
      if (list) list.push(v);
      else byId.set(v.request_id, [v]);
    }
    return byId;
  }

  get(id: string): Promise<ApprovalRequest | undefined> {
    return this.#run(async () => {
      const { rows } = await this.#client.query<RequestRow & Record<string, unknown>>(
        `SELECT ${REQUEST_COLUMNS} FROM approval_requests WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      return row ? fromRows(row, (await this.#votes([id])).get(id) ?? []) : undefined;
    });
  }

  list(query: ListQuery): Promise<ApprovalRequest[]> {
    return this.#run(async () => {
      const params: unknown[] = [listLimit(query)];
      let where = '';
      if (query.state !== undefined) {
        params.push(query.state);
        where = 'WHERE state = $2';
      }
      const { rows } = await this.#client.query<RequestRow & Record<string, unknown>>(
        `SELECT ${REQUEST_COLUMNS} FROM approval_requests ${where} ORDER BY created_at DESC, id LIMIT $1`,
        params,
      );
      const votes = await this.#votes(rows.map((r) => r.id));
      return rows.map((r) => fromRows(r, votes.get(r.id) ?? []));
    });
  }

  states(ids: readonly string[]): Promise<Map<string, RequestState>> {
    return this.#run(async () => {
      const out = new Map<string, RequestState>();
      if (ids.length === 0) return out;
      const { rows } = await this.#client.query<{ id: string; state: RequestState }>(
        'SELECT id, state FROM approval_requests WHERE id = ANY($1::text[])',
        [ids],
      );
      for (const r of rows) out.set(r.id, r.state);
      return out;
    });
  }

  due(now: string, limit: number): Promise<string[]> {
    return this.#run(async () => {
      const { rows } = await this.#client.query<{ id: string }>(
        "SELECT id FROM approval_requests WHERE state = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
        [now, limit],
      );
      return rows.map((r) => r.id);
    });
  }

  claim(id: string, token: string, now: string, until: string): Promise<ClaimResult> {
    return this.#run(async () => {
      // One statement: PostgreSQL locks the row and re-checks the WHERE clause after a concurrent update,
      // so of two gateways claiming at once exactly one gets the row.
      const { rows } = await this.#client.query(
        `UPDATE approval_requests SET claim = $1, claim_until = $2
         WHERE id = $3 AND state = 'pending' AND (claim IS NULL OR claim_until <= $4) RETURNING id`,
        [token, until, id, now],
      );
      if (rows.length === 1) return 'claimed';
      const { rows: current } = await this.#client.query<{ state: RequestState }>(
        'SELECT state FROM approval_requests WHERE id = $1',
        [id],
      );
      const row = current[0];
      if (!row) return 'missing';
      return row.state === 'pending' ? 'busy' : 'closed';
    });
  }

  release(id: string, token: string): Promise<void> {
    return this.#run(async () => {
      await this.#client.query(
        'UPDATE approval_requests SET claim = NULL, claim_until = NULL WHERE id = $1 AND claim = $2',
        [id, token],
      );
    });
  }

  commit(id: string, token: string, change: Change): Promise<boolean> {
    return this.#run(() =>
      this.#client.transaction(async (tx) => {
        const { rows } = await tx.query(
          `UPDATE approval_requests SET claim = NULL, claim_until = NULL,
             state = coalesce($1, state), decided_at = coalesce($2, decided_at),
             decided_by = coalesce($3, decided_by), decision_reason = coalesce($4, decision_reason)
           WHERE id = $5 AND claim = $6 AND state = 'pending' RETURNING id`,
          [
            change.state ?? null,
            change.decided_at ?? null,
            change.decided_by ?? null,
            change.decision_reason ?? null,
            id,
            token,
          ],
        );
        if (rows.length !== 1) return false;
        const v = change.vote;
        if (v) {
          await tx.query(
            `INSERT INTO approval_votes (request_id, ordinal, subject, identity, vote, reason, at)
             VALUES ($1, (SELECT count(*) + 1 FROM approval_votes WHERE request_id = $1), $2, $3, $4, $5, $6)`,
            [id, v.subject, JSON.stringify(v.identity), v.vote, v.reason ?? null, v.at],
          );
        }
        // Delivered to every listener (this process included) when the transaction commits.
        await tx.query('SELECT pg_notify($1, $2)', [APPROVALS_CHANNEL, id]);
        return true;
      }),
    );
  }

  subscribe(onChange: (id: string) => void): Promise<() => Promise<void>> {
    return this.#run(() => this.#client.listen(APPROVALS_CHANNEL, onChange));
  }
}

async function exists(q: SqlQueryable): Promise<boolean> {
  const { rows } = await q.query<{ n: number }>(
    'SELECT count(to_regclass(name))::int AS n FROM unnest($1::text[]) AS name',
    [OBJECTS],
  );
  return rows[0]?.n === OBJECTS.length;
}

function unavailable(err: unknown, location: string): ApprovalError {
  if (err instanceof ApprovalError) return err;
  const e = err as { code?: string; message?: string };
  return new ApprovalError(
    'ERR_APPROVAL_STORE_UNAVAILABLE',
    `the PostgreSQL approval store ${location} failed: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`,
    { cause: err },
  );
}
