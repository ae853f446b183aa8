/**
 * The shared store: PostgreSQL, for several gateway instances writing one audit trail (each its own
 * chain, keyed by instance). It runs on any SqlClient — node-postgres against a server, or PGlite in
 * tests. `durability: process` commits with `synchronous_commit = off`: the server holds the commit, so
 * it survives `kill -9` of the gateway (and a server crash may lose the last few hundred ms); `strict`
 * uses `synchronous_commit = on`, so COMMIT returns after the WAL is flushed.
 *
 * The searchable columns are GENERATED from the body, so the body is the only thing an editor can change
 * and the chain covers it. (The SQLite store writes them from the rows' `fields` and has verify compare
 * them with the body; here `fields` is not used and no fieldMismatches is needed. The price is PostgreSQL
 * parsing each body once per generated column on insert.) `time` and `instance` are text with the "C"
 * collation: RFC 3339 strings then compare byte by byte exactly as in SQLite, so cursors, `since` /
 * `until` and prune's `lastSeqBefore` mean the same in both stores.
 *
 * Free text: `words` holds the lexemes of the record's search text, tokenised in JavaScript the way
 * query.ts `searchWords()` tokenises a query (and SQLite's FTS5 a record), and GIN-indexed. It is filled
 * by the INSERT rather than generated from a stored copy of the text: that text is mostly the SQL or
 * command already in the body, and a second copy would double the largest field for nothing. Like the
 * FTS5 index it is an index, not evidence — verify never reads it.
 */
import { AuditError } from './errors.js';
import { isConnectionCode } from './pg-client.js';
import { decodeCursor, encodeCursor, pageSize, searchWords, validateQuery } from './query.js';
import type { SqlClient, SqlQueryable } from './sql-client.js';
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

export interface PostgresStoreOptions {
  /** `pgClient(url)` for a server, `pgliteClient(db)` for an embedded database. */
  client: SqlClient;
  durability?: Durability;
}

/** Held (per transaction) while creating the schema, so two gateways starting at once do not collide. */
const SCHEMA_LOCK = 7_526_759_183_320_471;

/**
 * The body as jsonb for the generated columns. PostgreSQL's jsonb rejects `\u0000` and unpaired
 * surrogate escapes, which canonical JSON emits for such characters (a NUL in terminal output, say); a
 * body holding one is still stored exactly as hashed, and only the copy parsed here has them replaced by
 * U+FFFD. The regular expression skips escaped backslashes (`\\u0000` is text, not an escape). Not
 * STRICT, so the planner can inline it (a STRICT CASE is not inlined; in search's group filter the call
 * then cost 2.5 times as much).
 */
const JSON_FUNCTION = String.raw`
CREATE OR REPLACE FUNCTION regate_audit_json(body text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN strpos(body, '\u') = 0 THEN body::jsonb
    ELSE regexp_replace(body, '(?<!\\)((?:\\\\)*)\\u(?:0000|[dD][89abcdefABCDEF][0-9a-fA-F]{2})', '\1\\ufffd', 'g')::jsonb
  END
$$`;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS audit_records (
    instance text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    body text NOT NULL,
    words tsvector NOT NULL DEFAULT ''::tsvector,
    time text COLLATE "C" NOT NULL,
    type text NOT NULL,
    session text,
    subject text,
    email text,
    target text,
    kind text,
    effect text,
    outcome text,
    PRIMARY KEY (instance, seq)
  )`,
  // (time, instance, seq) is the search order, so a page is read straight off this index either way.
  'CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time, instance, seq)',
  'CREATE INDEX IF NOT EXISTS audit_records_session ON audit_records (session)',
  'CREATE INDEX IF NOT EXISTS audit_records_subject ON audit_records (subject)',
  'CREATE INDEX IF NOT EXISTS audit_records_words ON audit_records USING gin (words)',
  `CREATE TABLE IF NOT EXISTS audit_checkpoints (
    instance text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    hash text NOT NULL,
    time text COLLATE "C" NOT NULL,
    key_id text NOT NULL,
    signature text NOT NULL,
    PRIMARY KEY (instance, seq)
  )`,
];

/** What init() creates; when all exist it changes nothing (so a role without CREATE can run). */
const OBJECTS = [
  'audit_records',
  'audit_records_time',
  'audit_records_session',
  'audit_records_subject',
  'audit_records_words',
  'audit_checkpoints',
];

const COLUMNS = 'instance, seq, prev_hash, hash, body';

/** Longest lexeme kept, in UTF-16 units (PostgreSQL refuses lexemes over 2,046 bytes). */
const MAX_WORD = 256;
/** Bound on a record's lexemes, in UTF-16 units (a tsvector must stay under 1 MB; 3 bytes a unit at most). */
const MAX_WORDS_TOTAL = 256 * 1024;

type Row = Record<string, unknown>;

/** The code append() gives the error for a first row that does not chain to the stored record before it. */
const CHAIN_BROKEN = 'REGATE_CHAIN_BROKEN';

export class PostgresStore implements AuditStore {
  readonly kind = 'postgres' as const;
  readonly durability: Durability;
  readonly location: string;
  /** The connection, shared with the approvals store. */
  readonly client: SqlClient;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    const durability = options.durability ?? 'process';
    if (!DURABILITIES.includes(durability))
      throw new AuditError(
        'ERR_AUDIT_INVALID_CONFIG',
        `durability must be one of ${DURABILITIES.join(', ')}, not ${JSON.stringify(durability)}`,
      );
    if (typeof options.client?.query !== 'function')
      throw new AuditError(
        'ERR_AUDIT_INVALID_CONFIG',
        'the PostgreSQL audit store needs a client: pgClient(url) or pgliteClient(db)',
      );
    this.durability = durability;
    this.client = options.client;
    this.location = options.client.location;
  }

  async init(): Promise<void> {
    await this.#run(async () => {
      if (await this.#schemaExists(this.client)) return;
      await this.client.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`);
        // Another process may have finished while this one waited for the lock.
        if (await this.#schemaExists(tx)) return;
        if (!(await tx.query("SELECT to_regprocedure('regate_audit_json(text)') AS f")).rows[0]?.f)
          await tx.query(JSON_FUNCTION);
        for (const statement of SCHEMA) await tx.query(statement);
      });
    });
  }

  async #schemaExists(q: SqlQueryable): Promise<boolean> {
    const { rows } = await q.query<{ n: unknown }>(
      'SELECT count(to_regclass(name)) AS n FROM unnest($1::text[]) AS name',
      [OBJECTS],
    );
    return Number(rows[0]?.n) === OBJECTS.length;
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed)
      throw new AuditError('ERR_AUDIT_CLOSED', `the PostgreSQL audit store ${this.location} is closed`);
    try {
      return await fn();
    } catch (err) {
      throw storeError(err, this.location);
    }
  }

  head(instance: string): Promise<{ seq: number; hash: string } | undefined> {
    return this.#run(async () => {
      const { rows } = await this.client.query(
        'SELECT seq, hash FROM audit_records WHERE instance = $1 ORDER BY seq DESC LIMIT 1',
        [instance],
      );
      const row = rows[0];
      return row ? { seq: Number(row.seq), hash: row.hash as string } : undefined;
    });
  }

  append(rows: readonly NewRecord[]): Promise<void> {
    return this.#run(async () => {
      if (rows.length === 0) return;
      const columns: unknown[][] = Array.from({ length: 15 }, () => []);
      for (const r of rows) {
        const f = r.fields;
        const values = [
          r.instance,
          r.seq,
          r.prev_hash,
          r.hash,
          r.body,
          indexWords(r.text).join(' '),
          ...[f.time, f.type, f.session, f.subject, f.email, f.target, f.kind, f.effect, f.outcome].map(
            pgText,
          ),
        ];
        for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
      }
      // One statement is one transaction: every row or none. The durability setting is made local to
      // that transaction inside the statement itself (the approvals store sharing this client keeps its
      // own), which saves BEGIN, SET LOCAL and COMMIT round trips on every group commit. The first row
      // must chain to the stored record before it; when it does not, nothing is inserted. The search
      // fields come from the same prepared event as the body (parsing each body in the server, once per
      // field, cost ~80 µs a record); verify compares them with the body (fieldMismatches).
      const first = rows[0]!;
      const { rows: result } = await this.client.query(
        `WITH inserted AS (
           INSERT INTO audit_records (${COLUMNS}, words, time, type, session, subject, email, target, kind, effect, outcome)
           SELECT r.instance, r.seq, r.prev_hash, r.hash, r.body, array_to_tsvector(string_to_array(r.words, ' ')),
                  r.time, r.type, r.session, r.subject, r.email, r.target, r.kind, r.effect, r.outcome
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $11::text[], $12::text[],
                       $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[])
             AS r (instance, seq, prev_hash, hash, body, words, time, type, session, subject, email, target, kind, effect, outcome)
           WHERE set_config('synchronous_commit', $7, true) IS NOT NULL
             AND ($8::bigint <= 1 OR EXISTS (
               SELECT 1 FROM audit_records p WHERE p.instance = $9 AND p.seq = $8::bigint - 1 AND p.hash = $10))
           RETURNING 1
         )
         SELECT count(*) AS n FROM inserted`,
        [
          ...columns.slice(0, 6),
          this.durability === 'strict' ? 'on' : 'off',
          first.seq,
          first.instance,
          first.prev_hash,
          ...columns.slice(6),
        ],
      );
      if (Number(result[0]?.n) !== rows.length)
        throw Object.assign(
          new Error(
            `record ${first.seq - 1} of ${first.instance} is not the one record ${first.seq} chains to`,
          ),
          { code: CHAIN_BROKEN },
        );
    });
  }

  addCheckpoint(c: StoredCheckpoint): Promise<void> {
    return this.#run(async () => {
      await this.client.query(
        `INSERT INTO audit_checkpoints (instance, seq, hash, time, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance, seq) DO UPDATE SET hash = excluded.hash, time = excluded.time,
           key_id = excluded.key_id, signature = excluded.signature`,
        [c.instance, c.seq, c.hash, c.time, c.key_id, c.signature],
      );
    });
  }

  checkpoints(instance: string): Promise<StoredCheckpoint[]> {
    return this.#run(async () => {
      const { rows } = await this.client.query(
        'SELECT instance, seq, hash, time, key_id, signature FROM audit_checkpoints WHERE instance = $1 ORDER BY seq',
        [instance],
      );
      return rows.map((r) => ({ ...(r as unknown as StoredCheckpoint), seq: Number(r.seq) }));
    });
  }

  async *scan(instance: string, fromSeq = 0, batch = 5000): AsyncIterable<StoredRecord[]> {
    let from = fromSeq;
    for (;;) {
      const rows = await this.#records(
        `SELECT ${COLUMNS} FROM audit_records WHERE instance = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
        [instance, from, batch],
      );
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < batch) return;
      from = rows[rows.length - 1]!.seq + 1;
    }
  }

  #records(sql: string, params: readonly unknown[]): Promise<StoredRecord[]> {
    return this.#run(async () => (await this.client.query(sql, params)).rows.map(toRecord));
  }

  instances(): Promise<string[]> {
    return this.#run(async () => {
      // A skip scan over the primary key: one index probe per chain instead of reading every record.
      const { rows } = await this.client.query<{ instance: string | null }>(
        `WITH RECURSIVE chains (instance) AS (
           SELECT min(instance) FROM audit_records
           UNION ALL
           SELECT (SELECT min(instance) FROM audit_records WHERE instance > chains.instance)
           FROM chains WHERE chains.instance IS NOT NULL
         )
         SELECT instance FROM chains WHERE instance IS NOT NULL
         -- A chain whose records were all deleted still has its checkpoints, and must still be verified.
         UNION SELECT instance FROM audit_checkpoints
         ORDER BY 1`,
      );
      return rows.map((r) => r.instance as string);
    });
  }

  /** Records whose search columns were edited apart from their body (one parse of each body). */
  fieldMismatches(instance: string, limit: number): Promise<number[]> {
    return this.#run(async () => {
      const { rows } = await this.client.query<{ seq: string }>(
        `SELECT seq FROM (
           SELECT seq, time, type, session, subject, email, target, kind, effect, outcome, regate_audit_json(body) AS j
           FROM audit_records WHERE instance = $1) r
         WHERE (time, type, session, subject, email, target, kind, effect, outcome) IS DISTINCT FROM
               (j ->> 'time', j ->> 'type', j ->> 'session', j #>> '{identity,subject}', j #>> '{identity,email}',
                j ->> 'target', j ->> 'kind', j ->> 'effect', j ->> 'outcome')
         ORDER BY seq LIMIT $2`,
        [instance, limit],
      );
      return rows.map((r) => Number(r.seq));
    });
  }

  async get(instance: string, seq: number): Promise<StoredRecord | undefined> {
    const rows = await this.#records(
      `SELECT ${COLUMNS} FROM audit_records WHERE instance = $1 AND seq = $2`,
      [instance, seq],
    );
    return rows[0];
  }

  search(query: SearchQuery): Promise<SearchPage> {
    try {
      validateQuery(query);
    } catch (err) {
      return Promise.reject(err);
    }
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const eq = (column: string, value: string | undefined) => {
      if (value !== undefined) where.push(`${column} = ${param(value)}`);
    };
    eq('instance', query.instance);
    eq('target', query.target);
    eq('kind', query.kind);
    eq('type', query.type);
    eq('effect', query.effect);
    eq('outcome', query.outcome);
    eq('session', query.session);
    if (query.identity !== undefined) {
      const p = param(query.identity);
      where.push(`(subject = ${p} OR email = ${p})`);
    }
    if (query.group !== undefined)
      where.push(`regate_audit_json(body) -> 'identity' -> 'groups' ? ${param(query.group)}`);
    if (query.since !== undefined) where.push(`time >= ${param(new Date(query.since).toISOString())}`);
    if (query.until !== undefined) where.push(`time < ${param(new Date(query.until).toISOString())}`);
    if (query.text !== undefined) {
      const match = tsQuery(query.text);
      if (match !== undefined) where.push(`words @@ ${param(match)}::tsquery`);
    }
    const desc = query.order !== 'asc';
    let cursor: ReturnType<typeof decodeCursor> | undefined;
    try {
      if (query.cursor !== undefined) cursor = decodeCursor(query.cursor);
    } catch (err) {
      return Promise.reject(err);
    }
    if (cursor)
      where.push(
        `(time, instance, seq) ${desc ? '<' : '>'} (${param(cursor.time)}::text, ${param(cursor.instance)}::text, ${param(cursor.seq)}::bigint)`,
      );
    const limit = pageSize(query);
    const dir = desc ? 'DESC' : 'ASC';
    const sql = `SELECT ${COLUMNS}, time FROM audit_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY time ${dir}, instance ${dir}, seq ${dir} LIMIT ${param(limit + 1)}`;
    return this.#run(async () => {
      const { rows } = await this.client.query(sql, params);
      const more = rows.length > limit;
      if (more) rows.length = limit;
      const page: SearchPage = { records: rows.map(toRecord) };
      const last = rows[rows.length - 1];
      if (more && last)
        page.next = encodeCursor(last.time as string, last.instance as string, Number(last.seq));
      return page;
    });
  }

  session(id: string): Promise<StoredRecord[]> {
    return this.#records(
      `SELECT ${COLUMNS} FROM audit_records WHERE session = $1 ORDER BY time, instance, seq`,
      [id],
    );
  }

  deleteThrough(instance: string, throughSeq: number): Promise<number> {
    return this.#run(() =>
      this.client.transaction(async (tx) => {
        const { rows } = await tx.query(
          `WITH deleted AS (DELETE FROM audit_records WHERE instance = $1 AND seq <= $2 RETURNING 1)
           SELECT count(*) AS n FROM deleted`,
          [instance, throughSeq],
        );
        await tx.query('DELETE FROM audit_checkpoints WHERE instance = $1 AND seq <= $2', [
          instance,
          throughSeq,
        ]);
        return Number(rows[0]?.n ?? 0);
      }),
    );
  }

  lastSeqBefore(instance: string, time: string): Promise<number | undefined> {
    return this.#run(async () => {
      const { rows } = await this.client.query(
        'SELECT max(seq) AS seq FROM audit_records WHERE instance = $1 AND time < $2',
        [instance, time],
      );
      const seq = rows[0]?.seq;
      return seq === null || seq === undefined ? undefined : Number(seq);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.client.close();
    } catch (err) {
      throw storeError(err, this.location);
    }
  }
}

function toRecord(r: Row): StoredRecord {
  return {
    instance: r.instance as string,
    seq: Number(r.seq),
    prev_hash: r.prev_hash as string,
    hash: r.hash as string,
    body: r.body as string,
  };
}

/**
 * The lexemes of a record's search text: lower-cased letter/digit runs as in query.ts `searchWords()`,
 * plus the parts of a word joined by `_`, which FTS5 indexes as separate tokens — so `orders` finds
 * `public.orders_archive` in both stores.
 */
export function indexWords(text: string): string[] {
  const words = new Set<string>();
  let total = 0;
  const add = (word: string) => {
    if (word === '' || words.has(word)) return;
    const w = clip(word);
    if (total + w.length > MAX_WORDS_TOTAL) return;
    total += w.length;
    words.add(w);
  };
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []) {
    add(word);
    if (word.includes('_')) for (const part of word.split('_')) add(part);
  }
  return [...words];
}

/** A lexeme cut to MAX_WORD units, not in the middle of a surrogate pair (the query side cuts alike). */
function clip(word: string): string {
  if (word.length <= MAX_WORD) return word;
  const end = /[\uD800-\uDBFF]/.test(word[MAX_WORD - 1]!) ? MAX_WORD - 1 : MAX_WORD;
  return word.slice(0, end);
}

/** A tsquery for the free-text search: every word must appear, the last as a prefix. */
export function tsQuery(text: string): string | undefined {
  const words = searchWords(text);
  if (words.length === 0) return undefined;
  // Words are letters, digits and `_` only, so quoting them needs no escaping.
  return words.map((w, i) => `'${clip(w)}'${i === words.length - 1 ? ':*' : ''}`).join(' & ');
}

/** The AuditError for a failed store operation, saying what went wrong and what to check. */
export function storeError(err: unknown, location: string): AuditError {
  if (err instanceof AuditError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (code === '23505' || code === CHAIN_BROKEN)
    return new AuditError(
      'ERR_AUDIT_CHAIN_CONFLICT',
      `another writer appended to this chain in the PostgreSQL audit store ${location}: each running gateway needs its own instance name`,
      { cause: err },
    );
  if (code === '57014' || message === 'Query read timeout' || /timeout/i.test(message))
    return new AuditError(
      'ERR_AUDIT_STORE_TIMEOUT',
      `the PostgreSQL audit store ${location} did not answer in time (${message}); check that the server is up and not overloaded`,
      { cause: err },
    );
  let why: string;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    why = `cannot connect (${code}): check that PostgreSQL is running and reachable at ${location}`;
  else if (
    (code !== undefined && isConnectionCode(code)) ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /Connection terminated|closed/i.test(message)
  )
    why = `the connection was lost (${message}): the server was stopped or restarted, or the network failed`;
  else if (code?.startsWith('28'))
    why = `authentication failed (${message}): check the user and password in the store URL`;
  else if (code === '3D000') why = `${message}: create the database or fix the store URL`;
  else if (code === '42501') why = `${message}: grant the gateway's role access to the audit tables`;
  else if (code === '53100') why = "the server's disk is full";
  else if (code === '25006') why = 'the server is read-only (a standby?): point the store at the primary';
  else why = message;
  return new AuditError(
    'ERR_AUDIT_STORE_UNAVAILABLE',
    `the PostgreSQL audit store ${location} failed: ${why}${code ? ` (${code})` : ''}`,
    { cause: err },
  );
}

/**
 * A search field as PostgreSQL text holds it, and as regate_audit_json() reads it from the body: NUL
 * and unpaired surrogates become U+FFFD (text cannot hold them), so the two compare equal in verify.
 */
function pgText(value: string | null): string | null {
  return value === null ? null : value.replace(NOT_TEXT, '\ufffd');
}

const NOT_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
