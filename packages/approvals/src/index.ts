export type { ApproverEntry } from './approvers.js';
export {
  matchesApprover,
  matchesRequirement,
  normalizeRequirements,
  parseApprover,
  requirementsMet,
  tally,
} from './approvers.js';
export type { ApprovalAudit, ApprovalAuditEvent } from './audit-event.js';
export type { ApprovalErrorCode } from './errors.js';
export { APPROVAL_ERROR_CODES, ApprovalError } from './errors.js';
export { APPROVALS_CHANNEL, PostgresApprovalStore } from './postgres-store.js';
export type {
  ApprovalOutcome,
  ApprovalRequest,
  ApprovalVote,
  NormalizedRequirement,
  RequestState,
  VoteKind,
} from './request.js';
export { isFinal, REQUEST_STATES, VOTES } from './request.js';
export type {
  ApprovalLogger,
  ApprovalServiceOptions,
  ListOptions,
  OpenRequest,
} from './service.js';
export { ApprovalService, describeRequirements, newRequestId } from './service.js';
export type { SqliteDatabase, SqliteStatement } from './sqlite-store.js';
export { SqliteApprovalStore } from './sqlite-store.js';
export type { ApprovalStore, Change, ClaimResult, ListQuery, NewRequest } from './store.js';
export { approvalStoreFor } from './store-for.js';
