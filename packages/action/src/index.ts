export type {
  Action,
  ActionKind,
  HttpPart,
  Identity,
  IdentityType,
  Protocol,
  SessionInfo,
  SqlPart,
  SqlStatement,
  SqlTable,
  SshForward,
  SshPart,
  TableAccess,
  TargetInfo,
} from './action.js';
export { ACTION_KINDS, IDENTITY_TYPES, KIND_PROTOCOL, PROTOCOLS } from './action.js';
export type {
  ActionOutcome,
  ActionResult,
  AdapterContext,
  AdapterEvent,
  AdapterLogger,
  ApprovalEnd,
  ApprovalResult,
  ApprovalStatus,
  AuthenticationFailure,
  HeldApproval,
  TerminalChunk,
} from './adapter.js';
export { ACTION_OUTCOMES, ANONYMOUS, SILENT_LOGGER } from './adapter.js';
export type {
  ApprovalRequirement,
  Decision,
  Effect,
  MaskDetector,
  MaskRule,
  MaskStrategy,
} from './decision.js';
export { EFFECTS, effectRank, MASK_DETECTORS, MASK_STRATEGIES, strongerEffect } from './decision.js';
export { GatewayError } from './errors.js';
export { actionSchema, approvalRequirementSchema, decisionSchema, maskRuleSchema } from './schemas.js';
export type { SchemaProblem } from './validate.js';
export {
  actionProblems,
  approvalProblems,
  maskRuleProblems,
  ValidationError,
  validateAction,
  validateDecision,
} from './validate.js';
