import { GatewayError } from '@regate/action';

/**
 * Every error `@regate/approvals` raises, with what it means. README.md lists the same table (a test keeps
 * the two in sync). A gateway that gets any of them while holding a request treats the action as `block`.
 */
export const APPROVAL_ERROR_CODES = {
  ERR_APPROVAL_INVALID_REQUEST:
    'open() was given a Decision that is not require_approval, has no approval requirement, a requirement with no approvers or a count below 1, or a timeout that is not a positive number of milliseconds',
  ERR_APPROVAL_INVALID_VOTE: 'a vote without an identity subject, or a deny without a reason',
  ERR_APPROVAL_NOT_FOUND: 'no approval request has that id',
  ERR_APPROVAL_NOT_PENDING:
    'the request was already approved, denied, expired or cancelled; votes are closed',
  ERR_APPROVAL_SELF_APPROVAL: 'the requester tried to approve or deny their own request (four-eyes)',
  ERR_APPROVAL_NOT_APPROVER: 'the identity matches none of the approvers the policy named for this request',
  ERR_APPROVAL_ALREADY_VOTED: 'this approver already voted on the request; each approver counts once',
  ERR_APPROVAL_BUSY:
    'another gateway held the request (recording a vote or an expiry) for longer than the wait allowed; try again',
  ERR_APPROVAL_CONFLICT:
    'the request changed hands while this vote was being recorded (the claim lapsed); nothing was changed, try again',
  ERR_APPROVAL_AUDIT_FAILED:
    'the audit trail could not record the transition, so it was not made (fail closed); the cause is the audit error',
  ERR_APPROVAL_STORE_UNAVAILABLE:
    'the approval store cannot be read or written (file, disk or PostgreSQL server)',
  ERR_APPROVAL_CLOSED: 'the approval service was closed; pending waits end with this error',
  ERR_APPROVAL_INVALID_CONFIG:
    'an ApprovalService option is invalid (a negative interval, a missing store or audit log)',
} as const;

export type ApprovalErrorCode = keyof typeof APPROVAL_ERROR_CODES;

/** An error raised by `@regate/approvals`; `code` is one of APPROVAL_ERROR_CODES. */
export class ApprovalError extends GatewayError {
  declare readonly code: ApprovalErrorCode;
  /** The request's id, when the error is about one request. */
  readonly requestId: string | undefined;

  constructor(code: ApprovalErrorCode, message: string, options?: { requestId?: string; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApprovalError';
    this.requestId = options?.requestId;
  }
}
