/**
 * Worker-thread entry that runs one read-only query on a SQLite file and exits (sqlite-query.ts): verify
 * runs its check of the search columns here, beside the chain walk on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { QueryInit } from './sqlite-query.js';

const init = workerData as QueryInit;
const port = parentPort;
if (!port) throw new Error('sqlite-query-thread runs only as a worker thread');
try {
  const db = new Database(init.path, { readonly: true, fileMustExist: true, timeout: init.busyTimeoutMs });
  try {
    port.postMessage({
      ok: true,
      value: db
        .prepare(init.sql)
        .pluck()
        .all(...init.params),
    });
  } finally {
    db.close();
  }
} catch (err) {
  const e = err as { code?: string; message?: string };
  port.postMessage({
    ok: false,
    error: { message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}) },
  });
}
