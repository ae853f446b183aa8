/**
 * What goes into the audit trail. An adapter or the gateway appends an AuditEvent; the log masks it
 * (prepare.ts), fills `time`, numbers it and chains it, and stores it as an AuditRecord.
 *
 * Every record has the same top-level fields to search on — `session`, `identity`, `target`, `kind`,
 * `effect`, `outcome` — filled from the Action when the event carries one, so a search never has to know
 * the shape of each event type.
 */
import {
  ACTION_OUTCOMES,
  type Action,
  type ActionOutcome,
  type ActionResult,
  type ApprovalRequirement,
  type Decision,
  type Effect,
  type Identity,
  type TerminalChunk,
} from '@regate/action';

export const EVENT_TYPES = [
  'session.start',
  'session.end',
  'action',
  'approval',
  'terminal',
  'admin',
  'prune',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What happened to an action after the decision: the adapter contract's outcomes (@regate/action). */
export const OUTCOMES = ACTION_OUTCOMES;
export type Outcome = ActionOutcome;

export const APPROVAL_STATES = ['requested', 'approved', 'denied', 'expired', 'cancelled'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** Result metadata: what came back (rows for SQL, bytes, HTTP status, SSH exit status). */
export type ResultMeta = ActionResult;

/** One asciicast v2 event: seconds since the recording started, `o` output, `i` input, `r` resize, `m` marker. */
export type AsciicastEvent = TerminalChunk;

interface EventBase {
  /** RFC 3339; the log's clock fills it when absent. */
  time?: string;
  session?: string;
  identity?: Identity;
  /** The target's name. */
  target?: string;
  kind?: string;
  effect?: Effect;
  outcome?: Outcome;
}

export interface SessionStartEvent extends EventBase {
  type: 'session.start';
  session: string;
  protocol?: string;
  client?: { address?: string; application?: string };
}

export interface SessionEndEvent extends EventBase {
  type: 'session.end';
  session: string;
  reason?: string;
  exit_status?: number;
}

export interface ActionEvent extends EventBase {
  type: 'action';
  action: Action;
  decision: Decision;
  outcome: Outcome;
  result?: ResultMeta;
  /** What went wrong when outcome is `error` (or why a forwarded action failed upstream). */
  error?: string;
  /** The approval request this action waited on. */
  approval?: string;
}

export interface ApprovalEvent extends EventBase {
  type: 'approval';
  approval: {
    id: string;
    state: ApprovalState;
    /** Subject of whoever approved or denied. */
    by?: string;
    reason?: string;
    approvers?: string[];
    count?: number;
    /** Every requirement of the request, when it has several (each must be met). */
    requirements?: ApprovalRequirement[];
    expires_at?: string;
  };
  /** The Action waiting on the approval. */
  action_id?: string;
}

export interface TerminalEvent extends EventBase {
  type: 'terminal';
  session: string;
  /** Present on a session's first chunk: asciicast v2 header fields (width, height, env, …). */
  header?: { width: number; height: number; env?: Record<string, string>; title?: string };
  events: AsciicastEvent[];
}

export interface AdminEvent extends EventBase {
  type: 'admin';
  operation: string;
  detail?: Record<string, unknown>;
}

/** Written by prune(): the chain now starts after `through_seq`, whose hash was `anchor_hash`. */
export interface PruneEvent extends EventBase {
  type: 'prune';
  before: string;
  through_seq: number;
  anchor_hash: string;
  records: number;
  key_id: string;
  /** Ed25519 over canonical JSON of {instance, before, through_seq, anchor_hash}, base64url. */
  signature: string;
}

export type AuditEvent =
  | SessionStartEvent
  | SessionEndEvent
  | ActionEvent
  | ApprovalEvent
  | TerminalEvent
  | AdminEvent
  | PruneEvent;

/** A stored record: the (masked) event plus its place in the chain. */
export type AuditRecord = AuditEvent & {
  instance: string;
  seq: number;
  time: string;
  prev_hash: string;
  hash: string;
};
