/** Worker-thread entry of the SQLite writer (sqlite-writer.ts): one connection, one request at a time. */

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type WriteRequest, type WriteResult, type WriterInit, writeOn } from './sqlite-writer.js';

const init = workerData as WriterInit;
const port = parentPort;
if (!port) throw new Error('sqlite-writer-thread runs only as a worker thread');

let write: ((request: WriteRequest) => WriteResult) | undefined;
let openError: { code?: string; message: string } | undefined;
try {
  const db = new Database(init.path, { timeout: init.busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${init.synchronous}`);
  // Copy the WAL back into the database every ~40 MB rather than every ~4 MB: each copy (which fsyncs
  // the database file) then costs the writer far less per record.
  db.pragma('wal_autocheckpoint = 10000');
  write = writeOn(db);
} catch (err) {
  const e = err as { code?: string; message?: string };
  openError = { message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}) };
}

/**
 * Background indexing: a few hundred records per turn of the event loop, so requests that arrive in
 * between (messages are handled before setImmediate callbacks) are served first.
 */
let indexing = false;
function indexInBackground(): void {
  if (indexing || !write) return;
  indexing = true;
  setImmediate(() => {
    indexing = false;
    try {
      if (write?.({ op: 'index', limit: 256 }) === 256) indexInBackground();
    } catch {
      // Retried after the next append; a text search catches up (and reports errors) itself.
    }
  });
}
indexInBackground();

port.on('message', (m: { id: number; request: WriteRequest }) => {
  if (!write) {
    port.postMessage({ id: m.id, ok: false, error: openError });
    return;
  }
  try {
    port.postMessage({ id: m.id, ok: true, value: write(m.request) });
    if (m.request.op === 'append') indexInBackground();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    port.postMessage({
      id: m.id,
      ok: false,
      error: { message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}) },
    });
  }
});
