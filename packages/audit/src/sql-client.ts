/**
 * The little of a PostgreSQL client the PostgreSQL store and the approvals store need, so the same code
 * runs on node-postgres (a real server) and on PGlite (embedded, for fast tests). Implementations:
 * `pgClient()` and `pgliteClient()` in pg-client.ts.
 */
export interface SqlQueryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[] }>;
}

export interface SqlClient extends SqlQueryable {
  /** Server address for messages, never with a password. */
  readonly location: string;
  /** Runs `fn` on one connection between BEGIN and COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** LISTEN on `channel`; `onNotify` gets each NOTIFY payload. Resolves with a function that UNLISTENs. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
