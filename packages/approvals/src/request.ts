/**
 * An approval request as the service hands it out: the held Action, who asked, what the policy requires,
 * the votes so far and where it stands. A request is `pending` until exactly one transition ends it.
 */
import type { Action, Identity } from '@regate/action';

export const REQUEST_STATES = ['pending', 'approved', 'denied', 'expired', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** How a request ended: what `wait()` resolves with. */
export type ApprovalOutcome = Exclude<RequestState, 'pending'>;

export const VOTES = ['approve', 'deny'] as const;
export type VoteKind = (typeof VOTES)[number];

export interface ApprovalVote {
  /** The approver's subject: one vote per subject. */
  subject: string;
  /** The approver as they were when they voted (their groups then decide which requirements they count for). */
  identity: Identity;
  vote: VoteKind;
  reason?: string;
  /** RFC 3339. */
  at: string;
}

/** A requirement as stored: `count` filled in (default 1). */
export interface NormalizedRequirement {
  approvers: string[];
  count: number;
  reason?: string;
}

export interface ApprovalRequest {
  /** Random and unguessable (`apr_` and 128 random bits, base64url). */
  id: string;
  state: RequestState;
  /** The Action that waits, as given to open(). */
  action: Action;
  requester: Identity;
  /** Each must be met: `count` distinct eligible approvers for each. */
  requirements: NormalizedRequirement[];
  /** The Decision's reasons (why the policy wants an approval). */
  reasons: string[];
  /** RFC 3339. */
  created_at: string;
  /** RFC 3339: a request still pending at this time is expired. */
  expires_at: string;
  /** Oldest first. */
  votes: ApprovalVote[];
  /** When the request left `pending`. */
  decided_at?: string;
  /** Who ended it: the approver whose vote completed it, the denier, or whoever cancelled it. */
  decided_by?: string;
  /** The deny or cancel reason. */
  decision_reason?: string;
}

export function isFinal(state: RequestState): state is ApprovalOutcome {
  return state !== 'pending';
}
