/**
 * What the gateway hands a protocol adapter (ARCHITECTURE.md, "Layout"). Adapters never import the
 * engine, the audit store or the approval store: they authenticate, decide, record and ask for approvals
 * through this object. That keeps them testable with a small in-memory context and lets a third party
 * write one.
 *
 * The rules every adapter keeps (fail closed, lose nothing):
 * - nothing reaches a target before `decide` said so and `record` resolved for that action;
 * - `record` rejecting means the audit trail cannot take the action: the adapter blocks it (HTTP 503,
 *   a PostgreSQL ErrorResponse, an SSH refusal) and does not forward it;
 * - `authenticate` rejecting means no identity: the adapter refuses (HTTP 401) and records the refusal
 *   with the `anonymous` identity below.
 */
import type { Action, Identity } from './action.js';
import type { Decision } from './decision.js';

/** What happened to an action after its decision (the audit trail's `outcome`). */
export const ACTION_OUTCOMES = [
  'forwarded',
  'blocked',
  'approval_requested',
  'approved',
  'denied',
  'expired',
  'error',
] as const;
export type ActionOutcome = (typeof ACTION_OUTCOMES)[number];

/** The identity recorded for a request whose credential was missing or refused. */
export const ANONYMOUS: Identity = { subject: 'anonymous', groups: [], type: 'user' };

/** Result metadata: what came back (rows for SQL, bytes, HTTP status, SSH exit status). */
export interface ActionResult {
  rows?: number;
  bytes?: number;
  status?: number;
  exit_status?: number;
  duration_ms?: number;
  /** A few rows or a body excerpt, already masked by the Decision's rules. */
  sample?: unknown;
}

/** One asciicast v2 event: seconds since the recording started, `o` output, `i` input, `r` resize, `m` marker. */
export type TerminalChunk = [number, 'o' | 'i' | 'r' | 'm', string];

/** What an adapter records. The audit trail masks every free-form string again before it is written. */
export type AdapterEvent =
  | {
      type: 'session.start';
      session: string;
      identity: Identity;
      /** The target's name. */
      target: string;
      protocol: string;
      client?: { address?: string; application?: string };
    }
  | {
      type: 'session.end';
      session: string;
      identity?: Identity;
      target?: string;
      reason?: string;
      exit_status?: number;
    }
  | {
      type: 'action';
      action: Action;
      decision: Decision;
      outcome: ActionOutcome;
      result?: ActionResult;
      /** What went wrong when outcome is `error`, or why a forwarded action failed upstream. */
      error?: string;
      /** The approval request this action waited on. */
      approval?: string;
    }
  | {
      type: 'terminal';
      session: string;
      header?: { width: number; height: number; env?: Record<string, string>; title?: string };
      events: TerminalChunk[];
    };

/** How a held request ended. */
export type ApprovalEnd = 'approved' | 'denied' | 'expired' | 'cancelled';

export interface ApprovalResult {
  state: ApprovalEnd;
  /** Subject of the approver whose vote completed it, the denier, or whoever cancelled it. */
  by?: string;
  /** The deny or cancel reason. */
  reason?: string;
}

/** A request held for a human: opened and recorded by the gateway, voted on elsewhere. */
export interface HeldApproval {
  /** The approval id to show the client (`apr_…`). */
  id: string;
  /** RFC 3339: a request still pending then is expired. */
  expiresAt: string;
  /** Resolves when the request ends; rejects when the approval store fails (treat as block). */
  wait(options?: { signal?: AbortSignal }): Promise<ApprovalResult>;
  /** Withdraws the request (the client went away); a request already ended is left as it is. */
  cancel(reason: string): Promise<void>;
}

/** Where an approval stands, for clients that come back with its id (HTTP's 202-and-retry mode). */
export interface ApprovalStatus {
  id: string;
  state: 'pending' | ApprovalEnd;
  /** The requester's subject: only they may use the approval. */
  requester: string;
  /** The id of the Action the approval was opened for. */
  actionId: string;
  expiresAt: string;
}

export interface AdapterLogger {
  debug(message: string, detail?: Record<string, unknown>): void;
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

/** The error `authenticate` rejects with. `code` is stable (ERR_TOKEN_EXPIRED, ERR_TOKEN_MISSING, …). */
export interface AuthenticationFailure extends Error {
  code: string;
}

export interface AdapterContext {
  /** Verifies a credential (an OIDC token) and maps it to an identity; rejects with an AuthenticationFailure. */
  authenticate(token: string): Promise<Identity>;
  /** Decides an action. Never throws: any failure is a `block` with the reason. */
  decide(action: Action): Decision;
  /** Appends to the audit trail; resolves once committed. Rejects when it cannot: block the action. */
  record(event: AdapterEvent): Promise<void>;
  /** Opens an approval request for a require_approval decision (recorded by the gateway). */
  requestApproval(
    action: Action,
    decision: Decision,
    options?: { timeoutMs?: number },
  ): Promise<HeldApproval>;
  /** An approval by id, or undefined when there is none. */
  approvalStatus(id: string): Promise<ApprovalStatus | undefined>;
  /** A new unique id for an action or a session (sortable by time). */
  newId(): string;
  clock(): Date;
  logger: AdapterLogger;
}

/** A logger that drops everything (the default for libraries). */
export const SILENT_LOGGER: AdapterLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
