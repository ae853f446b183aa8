/**
 * The embedded store: one SQLite file (better-sqlite3) in WAL mode. `durability: process` commits with
 * `synchronous = NORMAL` — a committed transaction is in the WAL file, so it survives `kill -9` of the
 * gateway; `strict` uses `synchronous = FULL`, which fsyncs the WAL at every commit (a group commit, see
 * log.ts) and so also survives power loss.
 *
 * The searchable columns are written from the same prepared event as the body. They are not covered by
 * the hash, so verify also compares them with the body (`fieldMismatches`, in SQL): a column edited to
 * hide a record from a search is reported as a modified record. (Generating them from the body with
 * `json_extract` would make that impossible by construction, but costs ~10 µs per append.) Free text
 * goes to a contentless FTS5 index keyed by rowid.
 */
import Database from 'better-sqlite3';
import { AuditError } from './errors.js';
import { decodeCursor, encodeCursor, ftsQuery, pageSize, validateQuery } from './query.js';
import { queryInThread } from './sqlite-query.js';
import { InlineWriter, ThreadWriter, type WriteResult, type Writer, writeOn } from './sqlite-writer.js';
import type {
  AuditStore,
  Durability,
  NewRecord,
  SearchPage,
  SearchQuery,
  StoredCheckpoint,
  StoredRecord,
} from './store.js';
import { DURABILITIES } from './store.js';

export interface SqliteStoreOptions {
  /** The database file (created with its tables when missing), or `:memory:`. */
  path: string;
  durability?: Durability;
  /** How long to wait for another process's write lock, in ms (default 5,000). */
  busyTimeoutMs?: number;
  /**
   * `thread` (default for files) commits on a worker thread so the event loop never waits for the disk;
   * `inline` commits on the calling thread (always for `:memory:`).
   */
  writer?: 'thread' | 'inline';
  /**
   * Open for reading only (search, verify, export): the file must exist, and init() and every write
   * reject with ERR_AUDIT_STORE_UNAVAILABLE. A text search then sees what the gateway has indexed.
   */
  readonly?: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_records (
  id INTEGER PRIMARY KEY,
  instance TEXT NOT NULL,
  seq INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  body TEXT NOT NULL,
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  session TEXT,
  subject TEXT,
  email TEXT,
  target TEXT,
  kind TEXT,
  effect TEXT,
  outcome TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS audit_records_chain ON audit_records (instance, seq);
CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time);
CREATE INDEX IF NOT EXISTS audit_records_session ON audit_records (session);
CREATE INDEX IF NOT EXISTS audit_records_subject ON audit_records (subject);
CREATE VIRTUAL TABLE IF NOT EXISTS audit_fts USING fts5 (text, content = '', contentless_delete = 1);
CREATE TABLE IF NOT EXISTS audit_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  instance TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  time TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (instance, seq)
);
`;

const COLUMNS = 'instance, seq, prev_hash, hash, body';

export class SqliteStore implements AuditStore {
  readonly kind = 'sqlite' as const;
  readonly durability: Durability;
  readonly location: string;
  /** The better-sqlite3 connection, shared with the approvals store (same file, same transactions). */
  readonly db: Database.Database;
  readonly #options: SqliteStoreOptions;
  #writer: Writer | undefined;

  get #memory(): boolean {
    return this.location === ':memory:' || this.location.startsWith('file::memory:');
  }

  /** The free-text index is built from the bodies by the writer (sqlite-writer.ts). */
  readonly indexesText = true;

  /** The writer thread takes requests in order, so the log may hash a group while one commits. */
  get maxInFlight(): number {
    return this.#writer instanceof ThreadWriter ? 2 : 1;
  }

  constructor(options: SqliteStoreOptions) {
    const durability = options.durability ?? 'process';
    if (!DURABILITIES.includes(durability))
      throw new AuditError(
        'ERR_AUDIT_INVALID_CONFIG',
        `durability must be one of ${DURABILITIES.join(', ')}, not ${JSON.stringify(durability)}`,
      );
    if (typeof options.path !== 'string' || options.path === '')
      throw new AuditError(
        'ERR_AUDIT_INVALID_CONFIG',
        'the SQLite audit store needs a file path (or :memory:)',
      );
    this.durability = durability;
    this.location = options.path;
    this.#options = options;
    try {
      if (options.readonly) {
        this.db = new Database(options.path, {
          readonly: true,
          fileMustExist: true,
          timeout: options.busyTimeoutMs ?? 5000,
        });
      } else {
        this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
        this.db.pragma('journal_mode = WAL');
        this.db.pragma(`synchronous = ${durability === 'strict' ? 'FULL' : 'NORMAL'}`);
      }
    } catch (err) {
      throw unavailable(err, options.path);
    }
  }

  async init(): Promise<void> {
    if (this.#options.readonly)
      throw new AuditError(
        'ERR_AUDIT_STORE_UNAVAILABLE',
        `the SQLite audit store ${this.location} was opened read-only`,
      );
    try {
      this.db.exec(SCHEMA);
    } catch (err) {
      throw unavailable(err, this.location);
    }
    await this.#writer?.close();
    this.#writer =
      this.#options.writer === 'inline' || this.#memory
        ? new InlineWriter(this.db)
        : new ThreadWriter({
            path: this.location,
            synchronous: this.durability === 'strict' ? 'FULL' : 'NORMAL',
            busyTimeoutMs: this.#options.busyTimeoutMs ?? 5000,
          });
  }

  #write(request: Parameters<Writer['write']>[0]): Promise<WriteResult> {
    const writer = this.#writer;
    if (!writer)
      return Promise.reject(
        new AuditError('ERR_AUDIT_CLOSED', 'the SQLite store is closed or was not initialised (call init())'),
      );
    return writer.write(request).catch((err: unknown) => {
      throw unavailable(err, this.location);
    });
  }

  #run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(unavailable(err, this.location));
    }
  }

  /** Read through the writer, so it sees every write queued before it (a commit that timed out, say). */
  async head(instance: string): Promise<{ seq: number; hash: string } | undefined> {
    if (!this.#writer)
      return this.#run(
        () =>
          this.db
            .prepare('SELECT seq, hash FROM audit_records WHERE instance = ? ORDER BY seq DESC LIMIT 1')
            .get(instance) as { seq: number; hash: string } | undefined,
      );
    const head = (await this.#write({ op: 'head', instance })) as { seq: number; hash: string } | null;
    return head ?? undefined;
  }

  async append(rows: readonly NewRecord[]): Promise<void> {
    await this.#write({ op: 'append', rows });
  }

  async addCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.#write({ op: 'checkpoint', checkpoint });
  }

  checkpoints(instance: string): Promise<StoredCheckpoint[]> {
    return this.#run(
      () =>
        this.db
          .prepare(
            'SELECT instance, seq, hash, time, key_id, signature FROM audit_checkpoints WHERE instance = ? ORDER BY seq',
          )
          .all(instance) as StoredCheckpoint[],
    );
  }

  async *scan(instance: string, fromSeq = 0, batch = 5000): AsyncIterable<StoredRecord[]> {
    // Rows as arrays, made into records here: better-sqlite3 builds row objects several times slower
    // than a literal does, and verify reads every record of the log through this.
    const page = this.db
      .prepare(
        `SELECT seq, prev_hash, hash, body FROM audit_records WHERE instance = ? AND seq >= ? ORDER BY seq LIMIT ?`,
      )
      .raw();
    let from = fromSeq;
    for (;;) {
      const rows = await this.#run(() =>
        (page.all(instance, from, batch) as [number, string, string, string][]).map(
          (r): StoredRecord => ({ instance, seq: r[0], prev_hash: r[1], hash: r[2], body: r[3] }),
        ),
      );
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < batch) return;
      from = rows[rows.length - 1]!.seq + 1;
    }
  }

  instances(): Promise<string[]> {
    return this.#run(() =>
      // With the checkpoints' instances: a chain whose records were all deleted must still be verified.
      (
        this.db
          .prepare(
            'SELECT instance FROM audit_records UNION SELECT instance FROM audit_checkpoints ORDER BY instance',
          )
          .all() as {
          instance: string;
        }[]
      ).map((r) => r.instance),
    );
  }

  get(instance: string, seq: number): Promise<StoredRecord | undefined> {
    return this.#run(
      () =>
        this.db
          .prepare(`SELECT ${COLUMNS} FROM audit_records WHERE instance = ? AND seq = ?`)
          .get(instance, seq) as StoredRecord | undefined,
    );
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    validateQuery(query);
    const where: string[] = [];
    const params: unknown[] = [];
    const eq = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    eq('instance', query.instance);
    eq('target', query.target);
    eq('kind', query.kind);
    eq('type', query.type);
    eq('effect', query.effect);
    eq('outcome', query.outcome);
    eq('session', query.session);
    if (query.identity !== undefined) {
      where.push('(subject = ? OR email = ?)');
      params.push(query.identity, query.identity);
    }
    if (query.group !== undefined) {
      where.push("EXISTS (SELECT 1 FROM json_each(body, '$.identity.groups') WHERE value = ?)");
      params.push(query.group);
    }
    if (query.since !== undefined) {
      where.push('time >= ?');
      params.push(new Date(query.since).toISOString());
    }
    if (query.until !== undefined) {
      where.push('time < ?');
      params.push(new Date(query.until).toISOString());
    }
    if (query.text !== undefined) {
      const match = ftsQuery(query.text);
      if (match !== undefined) {
        await this.#catchUpIndex();
        where.push('id IN (SELECT rowid FROM audit_fts WHERE audit_fts MATCH ?)');
        params.push(match);
      }
    }
    const desc = query.order !== 'asc';
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor);
      where.push(`(time, instance, seq) ${desc ? '<' : '>'} (?, ?, ?)`);
      params.push(c.time, c.instance, c.seq);
    }
    const limit = pageSize(query);
    const dir = desc ? 'DESC' : 'ASC';
    const sql = `SELECT ${COLUMNS}, time FROM audit_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY time ${dir}, instance ${dir}, seq ${dir} LIMIT ?`;
    return this.#run(() => {
      const rows = this.db.prepare(sql).all(...params, limit + 1) as (StoredRecord & { time: string })[];
      const more = rows.length > limit;
      if (more) rows.length = limit;
      const last = rows[rows.length - 1];
      const page: SearchPage = { records: rows.map(({ time: _t, ...r }) => r) };
      if (more && last) page.next = encodeCursor(last.time, last.instance, last.seq);
      return page;
    });
  }

  session(id: string): Promise<StoredRecord[]> {
    return this.#run(
      () =>
        this.db
          .prepare(`SELECT ${COLUMNS} FROM audit_records WHERE session = ? ORDER BY time, instance, seq`)
          .all(id) as StoredRecord[],
    );
  }

  async deleteThrough(instance: string, throughSeq: number): Promise<number> {
    return (await this.#write({ op: 'deleteThrough', instance, throughSeq })) as number;
  }

  /** Indexes every record not yet in the free-text index, so a text search sees all committed ones. */
  async #catchUpIndex(): Promise<void> {
    if (this.#writer) {
      await this.#write({ op: 'index' });
      return;
    }
    // Read-only: search what the gateway has indexed. Opened to read but writable (never initialised):
    // index here.
    if (this.#options.readonly) return;
    try {
      if (this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'audit_meta'").get())
        writeOn(this.db)({ op: 'index' });
    } catch {
      // read-only or locked: the search runs on what the gateway has indexed so far
    }
  }

  /**
   * Seqs whose search columns disagree with their body. It parses every body, so a file's check runs
   * on a thread of its own: verify starts it first and walks the chain meanwhile.
   */
  fieldMismatches(instance: string, limit: number): Promise<number[]> {
    const sql =
      // One parse of each body: json_extract with several paths answers a JSON array.
      `SELECT seq FROM audit_records WHERE instance = ? AND
         json_array(time, type, session, subject, email, target, kind, effect, outcome) IS NOT
         json_extract(body, '$.time', '$.type', '$.session', '$.identity.subject', '$.identity.email',
           '$.target', '$.kind', '$.effect', '$.outcome')
       ORDER BY seq LIMIT ?`;
    if (this.#memory) return this.#run(() => this.db.prepare(sql).pluck().all(instance, limit) as number[]);
    return queryInThread({
      path: this.location,
      sql,
      params: [instance, limit],
      busyTimeoutMs: this.#options.busyTimeoutMs ?? 5000,
    }).then(
      (seqs) => seqs as number[],
      (err: unknown) => {
        throw unavailable(err, this.location);
      },
    );
  }

  lastSeqBefore(instance: string, time: string): Promise<number | undefined> {
    return this.#run(() => {
      const row = this.db
        .prepare('SELECT max(seq) AS seq FROM audit_records WHERE instance = ? AND time < ?')
        .get(instance, time) as { seq: number | null };
      return row.seq ?? undefined;
    });
  }

  async close(): Promise<void> {
    const writer = this.#writer;
    // Leave the free-text index complete, so a reader that cannot index (read-only) finds everything.
    await writer?.write({ op: 'index' }).catch(() => {});
    this.#writer = undefined;
    await writer?.close();
    await this.#run(() => {
      if (this.db.open) this.db.close();
    });
  }
}

function unavailable(err: unknown, path: string): AuditError {
  if (err instanceof AuditError) return err;
  const e = err as { code?: string; message?: string };
  if (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e.code === 'REGATE_CHAIN_BROKEN'
  )
    return new AuditError(
      'ERR_AUDIT_CHAIN_CONFLICT',
      `another writer appended to this chain in ${path}: each running gateway needs its own instance name`,
      { cause: err },
    );
  const why = sqliteFailure(err);
  return new AuditError(
    'ERR_AUDIT_STORE_UNAVAILABLE',
    `the SQLite audit store ${path} failed: ${why} (${e.code ?? 'error'})`,
    {
      cause: err,
    },
  );
}

/** What a SQLite error means for a store, in words: shared with the approvals store on the same file. */
export function sqliteFailure(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code === 'SQLITE_FULL'
    ? 'the disk is full'
    : e.code === 'SQLITE_READONLY' || e.code === 'SQLITE_CANTOPEN'
      ? 'the file cannot be written'
      : e.code === 'SQLITE_BUSY'
        ? 'another process holds the write lock'
        : (e.message ?? String(err));
}
