/**
 * The approval store that lives beside an audit store: the same SQLite connection (`SqliteStore.db`) or
 * the same PostgreSQL client (`PostgresStore.client`), so requests and their audit records share one
 * database and several gateways sharing a PostgreSQL audit store share their pending requests too.
 */
import type { AuditStore, SqlClient } from '@regate/audit';
import { ApprovalError } from './errors.js';
import { PostgresApprovalStore } from './postgres-store.js';
import { SqliteApprovalStore, type SqliteDatabase } from './sqlite-store.js';
import type { ApprovalStore } from './store.js';

export function approvalStoreFor(audit: AuditStore): ApprovalStore {
  const shared = audit as AuditStore & { db?: SqliteDatabase; client?: SqlClient };
  if (audit.kind === 'sqlite' && shared.db)
    return new SqliteApprovalStore(shared.db, { location: audit.location });
  if (audit.kind === 'postgres' && shared.client) return new PostgresApprovalStore(shared.client);
  throw new ApprovalError(
    'ERR_APPROVAL_INVALID_CONFIG',
    `the audit store ${audit.location} shares no connection (a SqliteStore's db or a PostgresStore's client) for approvals`,
  );
}
