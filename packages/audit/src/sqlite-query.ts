/** One read-only query on a SQLite file, run on a worker thread of its own (sqlite-query-thread.ts). */
import { startWorker } from './worker.js';

export interface QueryInit {
  path: string;
  sql: string;
  params: unknown[];
  busyTimeoutMs: number;
}

/** The first column of every row `sql` answers; rejects with the SQLite error (its `code` kept). */
export function queryInThread(init: QueryInit): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('sqlite-query-thread', init);
    let settled = false;
    worker.once(
      'message',
      (m: { ok: boolean; value?: unknown[]; error?: { code?: string; message: string } }) => {
        settled = true;
        if (m.ok) resolve(m.value ?? []);
        else reject(Object.assign(new Error(m.error?.message ?? 'query failed'), { code: m.error?.code }));
      },
    );
    worker.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the SQLite query thread stopped (exit code ${code})`));
      settled = true;
    });
  });
}
