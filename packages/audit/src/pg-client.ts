/**
 * SqlClient implementations: `pgClient()` over node-postgres (a pool for queries and transactions, one
 * dedicated connection for LISTEN that reconnects by itself) and `pgliteClient()` over an embedded PGlite
 * database (fast tests). PGlite is typed structurally here, so this file does not load it: it stays a
 * devDependency.
 *
 * A dead server must fail fast, never hang: connecting is bounded by `connectTimeoutMs`, each statement by
 * the server's `statement_timeout`, and each query again on the client side (`query_timeout`), which also
 * covers a server that stopped answering without closing the connection.
 */

import type { PoolClient, PoolConfig } from 'pg';
import pg from 'pg';
import { AuditError } from './errors.js';
import type { SqlClient, SqlQueryable } from './sql-client.js';

export interface PgClientOptions {
  /** How long to wait for a connection, ms (default 5,000). */
  connectTimeoutMs?: number;
  /** The server cancels a statement after this long, ms (default 5,000). */
  statementTimeoutMs?: number;
  /** Connections in the pool (default 10). */
  max?: number;
  /** Shown in pg_stat_activity (default `regate`). */
  applicationName?: string;
  /**
   * Told about failures that no caller is waiting on: an idle pooled connection that the server closed,
   * a LISTEN connection that broke and is being reopened. Default: ignored (the next query reports it).
   */
  onError?: (err: Error) => void;
}

/** First delay before reopening a broken LISTEN connection; doubles up to LISTEN_RETRY_MAX_MS. */
const LISTEN_RETRY_MS = 100;
const LISTEN_RETRY_MAX_MS = 5000;

/**
 * A SqlClient over node-postgres. Given a URL it creates (and on close() ends) its own pool with the
 * timeouts of `options`; given a Pool it uses it with the pool's own settings and leaves it open —
 * whoever made the pool ends it. Either way the LISTEN connection is its own and close() ends it.
 */
export function pgClient(urlOrPool: string | pg.Pool, options: PgClientOptions = {}): SqlClient {
  const statementTimeout = options.statementTimeoutMs ?? 5000;
  let pool: pg.Pool;
  let config: PoolConfig;
  if (typeof urlOrPool === 'string') {
    if (urlOrPool.trim() === '')
      throw new AuditError(
        'ERR_AUDIT_INVALID_CONFIG',
        'the PostgreSQL audit store needs a URL: postgres://user@host:5432/database',
      );
    config = {
      connectionString: urlOrPool,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      statement_timeout: statementTimeout,
      // The client-side bound, a little longer than the server's so the server's clearer error wins
      // when the server is alive.
      query_timeout: statementTimeout + 1000,
      // A gateway that stalls inside a transaction must not hold its locks and connection for long.
      idle_in_transaction_session_timeout: Math.max(statementTimeout * 2, 10_000),
      keepAlive: true,
      application_name: options.applicationName ?? 'regate',
    };
    pool = new pg.Pool(config);
  } else {
    pool = urlOrPool;
    config = pool.options;
  }
  const owned = typeof urlOrPool === 'string';
  const report = options.onError ?? (() => {});
  // Without a listener, an idle connection closed by the server would crash the process.
  const onPoolError = (err: Error) => report(err);
  pool.on('error', onPoolError);
  const location = pgLocation(config);
  const listener = new Listener(config, report);
  let closed = false;

  const queryable = (q: Pick<pg.Pool, 'query'> | PoolClient): SqlQueryable => ({
    async query<R extends Record<string, unknown>>(text: string, params?: readonly unknown[]) {
      const result = await q.query<R>(text, params as unknown[] | undefined);
      return { rows: result.rows };
    },
  });
  const direct = queryable(pool);

  return {
    location,
    query(text, params) {
      if (closed) return Promise.reject(new Error(`the PostgreSQL client for ${location} is closed`));
      return direct.query(text, params);
    },
    async transaction(fn) {
      if (closed) throw new Error(`the PostgreSQL client for ${location} is closed`);
      const client = await pool.connect();
      // The pool listens for errors only on idle connections. One lost while checked out here would
      // be an unhandled 'error' event (a crash); the statement in flight, or the next one, rejects.
      const onError = (err: Error) => report(err);
      client.on('error', onError);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        await client.query('BEGIN');
        result = await fn(queryable(client));
        await client.query('COMMIT');
      } catch (err) {
        const discard = await rollback(client, err);
        client.off('error', onError);
        client.release(discard);
        throw err;
      }
      client.off('error', onError);
      client.release();
      return result;
    },
    listen(channel, onNotify) {
      if (closed) return Promise.reject(new Error(`the PostgreSQL client for ${location} is closed`));
      return listener.listen(channel, onNotify);
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      pool.off('error', onPoolError);
      if (owned) await pool.end();
    },
  };
}

/**
 * Rolls back after a failed statement; returns what to pass to release(): the error when the
 * connection cannot be trusted any more (so the pool discards it), undefined when it can be reused.
 */
async function rollback(client: PoolClient, err: unknown): Promise<Error | undefined> {
  // A server error (it has a SQLSTATE) leaves a working connection in an aborted transaction. Anything
  // else — a timeout, a reset socket — may leave a query in flight: discard the connection, and the
  // server rolls back when it goes.
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || isConnectionCode(code))
    return err instanceof Error ? err : new Error(String(err));
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (rollbackErr) {
    return rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
  }
}

/** SQLSTATEs meaning the connection is gone: class 08, and the server shutting down (57P01..57P03). */
export function isConnectionCode(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/**
 * One dedicated connection that holds every LISTEN of a client. When it breaks it is reopened (with
 * backoff) and the channels are listened to again; NOTIFYs sent while it was down are lost, so a waiter
 * must re-read the state it waits on now and then rather than rely on notifications alone.
 */
class Listener {
  readonly #config: PoolConfig;
  readonly #report: (err: Error) => void;
  readonly #channels = new Map<string, Set<(payload: string) => void>>();
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = LISTEN_RETRY_MS;
  #closed = false;

  constructor(config: PoolConfig, report: (err: Error) => void) {
    this.#config = config;
    this.#report = report;
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const client = await this.#connect();
    let callbacks = this.#channels.get(channel);
    if (!callbacks) {
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      callbacks = this.#channels.get(channel) ?? new Set();
      this.#channels.set(channel, callbacks);
    }
    callbacks.add(onNotify);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const set = this.#channels.get(channel);
      if (!set) return;
      set.delete(onNotify);
      if (set.size > 0) return;
      this.#channels.delete(channel);
      // When the connection is down there is nothing to UNLISTEN: reconnecting skips the channel.
      await this.#client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
    };
  }

  #connect(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('the LISTEN connection is closed'));
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<pg.Client> {
    // Notifications arrive only between statements, so this connection runs no long ones; the query
    // timeout still bounds LISTEN itself.
    const client = new pg.Client(this.#config);
    let broken = false;
    const onBroken = (err?: Error) => {
      if (broken) return;
      broken = true;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#report(err ?? new Error('the LISTEN connection to PostgreSQL ended'));
      this.#scheduleReconnect();
    };
    client.on('error', onBroken);
    client.on('end', () => onBroken());
    client.on('notification', (n) => {
      for (const cb of this.#channels.get(n.channel) ?? []) {
        try {
          cb(n.payload ?? '');
        } catch (err) {
          this.#report(err instanceof Error ? err : new Error(String(err)));
        }
      }
    });
    try {
      await client.connect();
      for (const channel of this.#channels.keys())
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      broken = true;
      client.end().catch(() => {});
      throw err;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      throw new Error('the LISTEN connection is closed');
    }
    this.#client = client;
    this.#retryMs = LISTEN_RETRY_MS;
    return client;
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer || this.#channels.size === 0) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect().catch((err: Error) => {
        this.#report(err);
        this.#retryMs = Math.min(this.#retryMs * 2, LISTEN_RETRY_MAX_MS);
        this.#scheduleReconnect();
      });
    }, this.#retryMs);
    this.#retryTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#channels.clear();
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}

/** `host:port/database` of a pool's settings, never the user's password. */
export function pgLocation(config: PoolConfig): string {
  let host = config.host;
  let port = config.port === undefined ? undefined : String(config.port);
  let database = config.database;
  if (config.connectionString) {
    try {
      const url = new URL(config.connectionString);
      host ??= url.searchParams.get('host') ?? (decodeURIComponent(url.hostname) || undefined);
      port ??= url.port || undefined;
      database ??= decodeURIComponent(url.pathname.slice(1)) || undefined;
    } catch {
      // Not a URL (a key=value string): the address is not worth a parser of its own.
      return 'PostgreSQL';
    }
  }
  return `${host ?? 'localhost'}:${port ?? '5432'}/${database ?? ''}`;
}

/** The part of an `@electric-sql/pglite` PGlite instance this client uses. */
export interface PGliteLike {
  readonly dataDir?: string | undefined;
  query<T>(query: string, params?: unknown[]): Promise<{ rows: T[] }>;
  transaction<T>(
    callback: (tx: { query<R>(query: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>,
  ): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * A SqlClient over a PGlite database, for tests. close() only stops this client's LISTENs: the database
 * stays open for whoever created it (closing it is how a test makes the store fail).
 */
export function pgliteClient(db: PGliteLike): SqlClient {
  const unlisteners = new Set<() => Promise<void>>();
  let closed = false;
  const location = `pglite:${db.dataDir || 'memory'}`;
  const guard = () => {
    if (closed) throw new Error(`the PGlite client for ${location} is closed`);
  };
  return {
    location,
    async query<R extends Record<string, unknown>>(text: string, params?: readonly unknown[]) {
      guard();
      const { rows } = await db.query<R>(text, params as unknown[] | undefined);
      return { rows };
    },
    async transaction(fn) {
      guard();
      return db.transaction((tx) =>
        fn({
          async query<R extends Record<string, unknown>>(text: string, params?: readonly unknown[]) {
            const { rows } = await tx.query<R>(text, params as unknown[] | undefined);
            return { rows };
          },
        }),
      );
    },
    async listen(channel, onNotify) {
      guard();
      const unlisten = await db.listen(channel, onNotify);
      const stop = async () => {
        if (!unlisteners.delete(stop)) return;
        await unlisten();
      };
      unlisteners.add(stop);
      return stop;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...unlisteners].map((stop) => stop().catch(() => {})));
    },
  };
}
