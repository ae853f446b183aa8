/**
 * The write side of the SQLite store. better-sqlite3 is synchronous: a commit — and with
 * `durability: strict` its fsync — would stop the gateway's event loop, and with it every proxied
 * connection, for as long as the disk takes. So writes run on a worker thread with a connection of its
 * own (sqlite-writer-thread.ts); the main thread keeps a connection for reads, which WAL lets proceed
 * while a write is being committed. `:memory:` databases cannot be shared between connections, so they
 * write inline.
 */

import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { searchText } from './search-text.js';
import type { NewRecord, StoredCheckpoint } from './store.js';
import { startWorker } from './worker.js';

export type WriteRequest =
  | { op: 'append'; rows: readonly NewRecord[] }
  /** `append` as it crosses to the thread: 14 values a row in one array, which clones far faster. */
  | { op: 'appendFlat'; flat: unknown[] }
  | { op: 'checkpoint'; checkpoint: StoredCheckpoint }
  | { op: 'deleteThrough'; instance: string; throughSeq: number }
  | { op: 'head'; instance: string }
  | { op: 'index'; limit?: number };

/** What a request answers: a count, or for `head` the chain's last record. */
export type WriteResult = number | { seq: number; hash: string } | null;

export interface WriterInit {
  path: string;
  synchronous: 'NORMAL' | 'FULL';
  busyTimeoutMs: number;
}

/** A thrown SQLite error carried across the thread boundary. */
export interface WireError {
  code?: string;
  message: string;
}

/** Runs one write request on `db`; the same code serves the thread and the inline writer. */
export function writeOn(db: Database.Database): (request: WriteRequest) => WriteResult {
  const insertRecord = db.prepare(
    `INSERT INTO audit_records (instance, seq, prev_hash, hash, body, time, type, session, subject, email, target, kind, effect, outcome)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertText = db.prepare('INSERT INTO audit_fts (rowid, text) VALUES (?, ?)');
  const before = db.prepare('SELECT hash FROM audit_records WHERE instance = ? AND seq = ?').pluck();
  const appendFlat = db.transaction((flat: unknown[]) => {
    const rows = flat.length / ROW_WIDTH;
    if (rows > 0 && (flat[1] as number) > 1 && before.get(flat[0], (flat[1] as number) - 1) !== flat[2])
      throw Object.assign(
        new Error(
          `record ${(flat[1] as number) - 1} of ${String(flat[0])} is not the one record ${String(flat[1])} chains to`,
        ),
        {
          code: 'REGATE_CHAIN_BROKEN',
        },
      );
    for (let i = 0; i < flat.length; i += ROW_WIDTH) insertRecord.run(flat.slice(i, i + ROW_WIDTH));
    return rows;
  });
  // The free-text index is derived from the bodies, after the commit and off the append path: the
  // thread indexes in the background between requests, and a text search first catches up (index op).
  // `fts_through` is the last rowid indexed, so a crash only delays indexing, never loses it.
  const through = db.prepare("SELECT value FROM audit_meta WHERE key = 'fts_through'").pluck();
  const setThrough = db.prepare(
    "INSERT INTO audit_meta (key, value) VALUES ('fts_through', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  const unindexed = db.prepare('SELECT id, body FROM audit_records WHERE id > ? ORDER BY id LIMIT ?');
  const indexSome = db.transaction((limit: number) => {
    const rows = unindexed.all((through.get() as number | undefined) ?? 0, limit) as {
      id: number;
      body: string;
    }[];
    for (const r of rows) {
      let text = '';
      try {
        text = searchText(JSON.parse(r.body) as Record<string, unknown>);
      } catch {
        // A body that is not JSON was tampered with; verify reports it. It is not searchable.
      }
      if (text !== '') insertText.run(r.id, text);
    }
    const last = rows[rows.length - 1];
    if (last) setThrough.run(last.id);
    return rows.length;
  });
  const index = (limit: number | undefined) => {
    if (limit !== undefined) return indexSome.immediate(limit);
    let total = 0;
    for (let n = indexSome.immediate(1000); n > 0; n = indexSome.immediate(1000)) total += n;
    return total;
  };
  const checkpoint = db.prepare(
    'INSERT OR REPLACE INTO audit_checkpoints (instance, seq, hash, time, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const deleteText = db.prepare(
    'DELETE FROM audit_fts WHERE rowid IN (SELECT id FROM audit_records WHERE instance = ? AND seq <= ?)',
  );
  const deleteRecords = db.prepare('DELETE FROM audit_records WHERE instance = ? AND seq <= ?');
  const deleteCheckpoints = db.prepare('DELETE FROM audit_checkpoints WHERE instance = ? AND seq <= ?');
  const deleteThrough = db.transaction((instance: string, through: number) => {
    deleteText.run(instance, through);
    const { changes } = deleteRecords.run(instance, through);
    deleteCheckpoints.run(instance, through);
    return changes;
  });
  const head = db.prepare('SELECT seq, hash FROM audit_records WHERE instance = ? ORDER BY seq DESC LIMIT 1');
  return (request) => {
    switch (request.op) {
      case 'append':
        return appendFlat.immediate(flatten(request.rows));
      case 'appendFlat':
        return appendFlat.immediate(request.flat);
      case 'checkpoint': {
        const c = request.checkpoint;
        checkpoint.run(c.instance, c.seq, c.hash, c.time, c.key_id, c.signature);
        return 1;
      }
      case 'deleteThrough':
        return deleteThrough.immediate(request.instance, request.throughSeq);
      case 'head':
        return (head.get(request.instance) as { seq: number; hash: string } | undefined) ?? null;
      case 'index':
        return index(request.limit);
    }
  };
}

const ROW_WIDTH = 14;

/** The row values in the order of the INSERT's columns. */
function flatten(rows: readonly NewRecord[]): unknown[] {
  const flat: unknown[] = [];
  for (const r of rows) {
    const f = r.fields;
    flat.push(
      r.instance,
      r.seq,
      r.prev_hash,
      r.hash,
      r.body,
      f.time,
      f.type,
      f.session,
      f.subject,
      f.email,
      f.target,
      f.kind,
      f.effect,
      f.outcome,
    );
  }
  return flat;
}

export interface Writer {
  write(request: WriteRequest): Promise<WriteResult>;
  close(): Promise<void>;
}

export class InlineWriter implements Writer {
  readonly #write: (request: WriteRequest) => WriteResult;
  constructor(db: Database.Database) {
    this.#write = writeOn(db);
  }
  write(request: WriteRequest): Promise<WriteResult> {
    try {
      const result = this.#write(request);
      // Inline, nothing runs between requests: index what was just appended (the commit is done).
      if (request.op === 'append') this.#write({ op: 'index' });
      return Promise.resolve(result);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Waiting {
  resolve: (n: WriteResult) => void;
  reject: (err: unknown) => void;
}

/** Wraps a worker error so `code` (SQLITE_FULL, …) survives for the store's error mapping. */
export class SqliteWriteError extends Error {
  readonly code: string | undefined;
  constructor(e: WireError) {
    super(e.message);
    this.code = e.code;
  }
}

export class ThreadWriter implements Writer {
  readonly #init: WriterInit;
  #worker: Worker | undefined;
  #next = 1;
  readonly #waiting = new Map<number, Waiting>();

  constructor(init: WriterInit) {
    this.#init = init;
  }

  #start(): Worker {
    const worker = startWorker('sqlite-writer-thread', this.#init);
    worker.unref();
    worker.on('message', (m: { id: number; ok: boolean; value?: WriteResult; error?: WireError }) => {
      const w = this.#waiting.get(m.id);
      if (!w) return;
      this.#waiting.delete(m.id);
      if (m.ok) w.resolve(m.value ?? null);
      else w.reject(new SqliteWriteError(m.error ?? { message: 'unknown error' }));
    });
    const fail = (err: unknown) => {
      if (this.#worker === worker) this.#worker = undefined;
      const error = new SqliteWriteError({
        code: 'WORKER_EXIT',
        message: `the SQLite writer thread stopped: ${(err as Error)?.message ?? String(err)}`,
      });
      for (const w of this.#waiting.values()) w.reject(error);
      this.#waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  write(request: WriteRequest): Promise<WriteResult> {
    const worker = this.#worker ?? this.#start();
    const id = this.#next++;
    return new Promise<WriteResult>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      if (this.#waiting.size === 1) worker.ref();
      worker.postMessage({
        id,
        request: request.op === 'append' ? { op: 'appendFlat', flat: flatten(request.rows) } : request,
      });
    }).finally(() => {
      if (this.#waiting.size === 0) this.#worker?.unref();
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }
}
