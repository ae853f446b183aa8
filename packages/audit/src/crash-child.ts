/**
 * Child process of crash-runner.ts: appends to the log at `argv[2]` (a SQLite file or a PostgreSQL URL) with many concurrent writers, forever,
 * printing "seq hash" for every append that resolved — the parent kills it with SIGKILL at a random
 * moment and then checks that each printed record is in the store.
 */

import { loadOrCreateSigningKey } from './keys.js';
import { AuditLog } from './log.js';
import { pgClient } from './pg-client.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Durability } from './store.js';
import { actionEvent } from './test-support.js';

const [path, keyPath, durability = 'process'] = process.argv.slice(2);
if (!path || !keyPath) throw new Error('usage: crash-child <db file | postgres:// URL> <key> [durability]');
const store = /^postgres(ql)?:\/\//.test(path)
  ? new PostgresStore({ client: pgClient(path), durability: durability as Durability })
  : new SqliteStore({ path, durability: durability as Durability });
const log = await AuditLog.open({
  store,
  key: loadOrCreateSigningKey(keyPath),
  instance: 'crash',
  checkpointEvery: 50,
  checkpointIntervalMs: 0,
});
process.stdout.write('ready\n');
let i = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    for (;;) {
      const r = await log.append(actionEvent(i++));
      process.stdout.write(`${r.seq} ${r.hash}\n`);
    }
  }),
);
