/**
 * The audit records approvals write, and the one method of the audit log the service calls. `AuditLog`
 * of @regate/audit satisfies `ApprovalAudit`.
 *
 * One `approval` record per step, all carrying the request id, the waiting Action's id, session, target
 * and kind, and the actor as `identity`:
 *
 * | step | approval.state | by | outcome | identity |
 * |---|---|---|---|---|
 * | opened | `requested` | — | `approval_requested` | the requester |
 * | an approving vote that does not yet complete the request | `requested` | the approver | `approval_requested` | the approver |
 * | the vote that completes it | `approved` | that approver | `approved` | that approver |
 * | a deny (any eligible approver's deny ends it) | `denied` | the approver | `denied` | the approver |
 * | expiry | `expired` | — | `expired` | — |
 * | cancelled by the gateway (client gone) | `cancelled` | whoever cancelled, if known | — | — |
 *
 * So a `requested` record without `by` opens a request and one with `by` is a vote on it.
 */
import type { ApprovalEvent } from '@regate/audit';

/** The audit event approvals append: `ApprovalEvent` of @regate/audit. */
export type ApprovalAuditEvent = ApprovalEvent;

/** Where transitions are recorded; append() resolves once the record is committed, or rejects. */
export interface ApprovalAudit {
  append(event: ApprovalAuditEvent): Promise<unknown>;
}
