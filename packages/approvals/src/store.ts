/**
 * What an approval store does. The service (service.ts) owns the rules — who may vote, when a request is
 * approved, what is audited and in which order; a store keeps requests and votes and makes each
 * change atomic. SQLite (sqlite-store.ts) and PostgreSQL (postgres-store.ts) implement it, in the same
 * database as the audit log, and pass the same tests.
 *
 * Changes to one request are serialized with a claim: a short lease (`claim`, `claim_until`) taken with a
 * conditional UPDATE on a pending request. The holder records the change in the audit trail, then
 * commits it; the commit applies only while the claim is still held, and releases it. So two gateways
 * voting at once never both transition a request, and no transition is committed before it is recorded.
 */
import type { Action, Identity } from '@regate/action';
import type {
  ApprovalOutcome,
  ApprovalRequest,
  ApprovalVote,
  NormalizedRequirement,
  RequestState,
} from './request.js';

/**
 * The approval tables, one statement each, in the SQL both stores accept (SQLite and PostgreSQL run
 * the same DDL). Created if missing, next to the audit tables.
 */
export const APPROVAL_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS approval_requests (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
    action TEXT NOT NULL,
    requester TEXT NOT NULL,
    requirements TEXT NOT NULL,
    reasons TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    decision_reason TEXT,
    claim TEXT,
    claim_until TEXT
  )`,
  'CREATE INDEX IF NOT EXISTS approval_requests_due ON approval_requests (state, expires_at)',
  'CREATE INDEX IF NOT EXISTS approval_requests_created ON approval_requests (created_at)',
  `CREATE TABLE IF NOT EXISTS approval_votes (
    request_id TEXT NOT NULL REFERENCES approval_requests (id),
    ordinal INTEGER NOT NULL,
    subject TEXT NOT NULL,
    identity TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('approve', 'deny')),
    reason TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (request_id, subject)
  )`,
];

/** A request as open() stores it: pending, no votes yet. */
export interface NewRequest {
  id: string;
  action: Action;
  requester: Identity;
  requirements: NormalizedRequirement[];
  reasons: string[];
  created_at: string;
  expires_at: string;
}

/** `claimed`: the caller holds the request; `busy`: someone else does; `closed`: it is not pending. */
export type ClaimResult = 'claimed' | 'busy' | 'closed' | 'missing';

/** What a claim holder commits: a vote, a final state, or both. */
export interface Change {
  vote?: ApprovalVote;
  state?: ApprovalOutcome;
  decided_at?: string;
  decided_by?: string;
  decision_reason?: string;
}

export interface ListQuery {
  state?: RequestState;
  /** Most requests returned, newest first (default 100, at most 1000). */
  limit?: number;
}

export interface ApprovalStore {
  readonly kind: 'sqlite' | 'postgres';
  /** A name for messages: the file or the server address (never a password). */
  readonly location: string;
  /** Creates the tables when they do not exist. Idempotent; writes nothing when they all exist. */
  init(): Promise<void>;
  /** Whether the tables exist (a reader that must not create them asks first). */
  hasTables(): Promise<boolean>;
  insert(request: NewRequest): Promise<void>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  list(query: ListQuery): Promise<ApprovalRequest[]>;
  /** The current state of each id that exists. */
  states(ids: readonly string[]): Promise<Map<string, RequestState>>;
  /** Ids of pending requests whose expires_at is at or before `now` (RFC 3339), oldest first. */
  due(now: string, limit: number): Promise<string[]>;
  /** Takes the claim on a pending request when it is free or its lease ended before `now`. */
  claim(id: string, token: string, now: string, until: string): Promise<ClaimResult>;
  /** Gives a claim back without changing anything. */
  release(id: string, token: string): Promise<void>;
  /**
   * Applies `change` and releases the claim, in one transaction, if `token` still holds the claim;
   * false (and nothing changed) when it does not. Wakes every subscriber, in this process and others.
   */
  commit(id: string, token: string, change: Change): Promise<boolean>;
  /** Calls `onChange(id)` after a request changes, here or in another process sharing the store. */
  subscribe(onChange: (id: string) => void): Promise<() => Promise<void>>;
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** The row shape both stores read, JSON columns as text. */
export interface RequestRow {
  id: string;
  state: RequestState;
  action: string;
  requester: string;
  requirements: string;
  reasons: string;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
}

export interface VoteRow {
  request_id: string;
  subject: string;
  identity: string;
  vote: 'approve' | 'deny';
  reason: string | null;
  at: string;
}

export const REQUEST_COLUMNS =
  'id, state, action, requester, requirements, reasons, created_at, expires_at, decided_at, decided_by, decision_reason';

export function fromRows(row: RequestRow, votes: readonly VoteRow[]): ApprovalRequest {
  const out: ApprovalRequest = {
    id: row.id,
    state: row.state,
    action: JSON.parse(row.action) as Action,
    requester: JSON.parse(row.requester) as Identity,
    requirements: JSON.parse(row.requirements) as NormalizedRequirement[],
    reasons: JSON.parse(row.reasons) as string[],
    created_at: row.created_at,
    expires_at: row.expires_at,
    votes: votes.map((v) => {
      const vote: ApprovalVote = {
        subject: v.subject,
        identity: JSON.parse(v.identity) as Identity,
        vote: v.vote,
        at: v.at,
      };
      if (v.reason !== null) vote.reason = v.reason;
      return vote;
    }),
  };
  if (row.decided_at !== null) out.decided_at = row.decided_at;
  if (row.decided_by !== null) out.decided_by = row.decided_by;
  if (row.decision_reason !== null) out.decision_reason = row.decision_reason;
  return out;
}

export function listLimit(query: ListQuery): number {
  const n = query.limit ?? DEFAULT_LIST_LIMIT;
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_LIST_LIMIT) : DEFAULT_LIST_LIMIT;
}
