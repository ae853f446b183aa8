/**
 * The audit store a `regate audit` or `regate approvals` command works on, from its `--store` argument:
 * a SQLite file (the gateway's default, `.regate/audit.db`) or a PostgreSQL URL. Opening never creates
 * anything: a missing file or a file without the audit tables is an error, not a new empty store that
 * would then "verify" without a single record.
 */

import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type AuditStore, PostgresStore, pgClient, SqliteStore } from '@regate/audit';
import { CliError } from './report-errors.js';

/** Where the gateway keeps its audit store and its signing key unless configured otherwise. */
export const DEFAULT_STORE = '.regate/audit.db';
export const DEFAULT_KEY = '.regate/audit-key.pem';

/**
 * The gateway keeps its signing key beside its SQLite store (data_dir/audit-key.pem), so a store named
 * with --store has its key next to it; for the default store, or a PostgreSQL URL, it is DEFAULT_KEY.
 */
export function defaultKeyFor(store: string | undefined): string {
  if (store === undefined || /^postgres(ql)?:\/\//.test(store)) return DEFAULT_KEY;
  return join(dirname(store), 'audit-key.pem');
}

/** The help line of `--store`, shared by the audit subcommands. */
export const STORE_HELP = `      --store <path.db>     the gateway's audit store, a SQLite file (default ${DEFAULT_STORE},
                            the gateway's default), or a postgres://user@host/db URL of a shared store`;

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Opens the store named by `where` (default DEFAULT_STORE), which must already hold the audit tables.
 * Nothing is written until a caller does (AuditLog.open initialises the store's writer).
 */
export async function openAuditStore(
  where: string | undefined,
  mode: 'read' | 'write' = 'read',
): Promise<AuditStore> {
  const location = where ?? DEFAULT_STORE;
  if (POSTGRES_URL.test(location)) return openPostgres(location);
  if (!existsSync(location))
    throw new CliError(
      'ERR_STORE_NOT_FOUND',
      `there is no audit store at ${location}: give the gateway's store with --store <path.db | postgres://...> (the gateway writes ${DEFAULT_STORE} in its working directory by default).`,
    );
  if (statSync(location).isDirectory())
    throw new CliError(
      'ERR_STORE_NOT_FOUND',
      `${location} is a directory: give the audit database file, e.g. --store ${location.replace(/\/+$/, '')}/audit.db.`,
    );
  // Reading commands open the file read-only. A command is short-lived and writes little (prune, a
  // vote), so it commits inline rather than on a thread.
  const store = new SqliteStore({ path: location, writer: 'inline', readonly: mode === 'read' });
  let tables: unknown;
  try {
    tables = store.db
      .prepare(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('audit_records', 'audit_checkpoints')",
      )
      .pluck()
      .get();
  } catch (err) {
    await store.close().catch(() => {});
    throw new CliError(
      'ERR_STORE_UNREADABLE',
      `cannot read ${location} as an audit store: ${(err as Error).message}.`,
    );
  }
  if (tables !== 2) {
    await store.close().catch(() => {});
    throw new CliError(
      'ERR_STORE_NOT_AUDIT',
      `${location} is a SQLite file but not a regate audit store (it has no audit_records table): check --store.`,
    );
  }
  return store;
}

async function openPostgres(url: string): Promise<AuditStore> {
  const store = new PostgresStore({ client: pgClient(url) });
  let tables: unknown;
  try {
    const { rows } = await store.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('audit_records', 'audit_checkpoints') AND schemaname = ANY (current_schemas(false))",
    );
    tables = rows[0]?.n;
  } catch (err) {
    await store.close().catch(() => {});
    throw new CliError(
      'ERR_STORE_UNREADABLE',
      `cannot read the audit store at ${redactUrl(url)}: ${(err as Error).message}.`,
    );
  }
  if (tables !== 2) {
    await store.close().catch(() => {});
    throw new CliError(
      'ERR_STORE_NOT_AUDIT',
      `the database at ${redactUrl(url)} is not a regate audit store (it has no audit_records table): check --store.`,
    );
  }
  return store;
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
