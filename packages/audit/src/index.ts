export { canonicalJson } from './canonical.js';
export { chainHash, GENESIS_HASH } from './chain.js';
export type { AuditErrorCode } from './errors.js';
export { AUDIT_ERROR_CODES, AuditError } from './errors.js';
export { asciicast, exportJsonl, recordOf, sessionRecords, transcript } from './export.js';
export type { SigningKey } from './keys.js';
export {
  generateSigningKey,
  keyIdOf,
  loadOrCreateSigningKey,
  parsePublicKey,
  publicKeyPem,
} from './keys.js';
export type { AuditLogOptions, AuditLogStats } from './log.js';
export { AuditLog, checkpointText, pruneText } from './log.js';
export type { PGliteLike, PgClientOptions } from './pg-client.js';
export { pgClient, pgliteClient } from './pg-client.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export { PostgresStore } from './postgres-store.js';
export { prepareEvent, redactAction, searchFields } from './prepare.js';
export type {
  ActionEvent,
  AdminEvent,
  ApprovalEvent,
  ApprovalState,
  AsciicastEvent,
  AuditEvent,
  AuditRecord,
  EventType,
  Outcome,
  PruneEvent,
  ResultMeta,
  SessionEndEvent,
  SessionStartEvent,
  TerminalEvent,
} from './record.js';
export { APPROVAL_STATES, EVENT_TYPES, OUTCOMES } from './record.js';
export { searchText } from './search-text.js';
export type { SqlClient, SqlQueryable } from './sql-client.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { SqliteStore, sqliteFailure } from './sqlite-store.js';
export type {
  AuditStore,
  Durability,
  NewRecord,
  SearchFields,
  SearchPage,
  SearchQuery,
  StoredCheckpoint,
  StoredRecord,
} from './store.js';
export { DURABILITIES } from './store.js';
export type { ProblemKind, VerifyOptions, VerifyProblem, VerifyReport } from './verify.js';
export { PROBLEM_KINDS, verifyChain } from './verify.js';
