/**
 * `npm start`: the example API (api.ts) on 127.0.0.1:9090 and `regate serve` with gateway.yaml in front
 * of it. Ctrl-C stops both; the gateway flushes its audit trail first.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startExampleApi } from './api.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const api = await startExampleApi(9090).catch((err: NodeJS.ErrnoException) => {
  console.error(
    err.code === 'EADDRINUSE'
      ? 'quickstart: port 9090 is in use; stop what holds it (or change the port in examples/quickstart/) and retry'
      : `quickstart: the example API did not start: ${err.message}`,
  );
  process.exit(1);
});
console.log('example API listening on http://127.0.0.1:9090 (reach it through regate on :8080)');

const gateway = spawn(
  process.execPath,
  [here('../../cli/bin/regate.js'), 'serve', '-c', here('./gateway.yaml'), ...process.argv.slice(2)],
  // From the checkout's source: a dist/ left by an earlier build may be older than the code.
  { stdio: 'inherit', env: { ...process.env, REGATE_FROM_SOURCE: '1' } },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    gateway.kill(signal);
  });
gateway.on('exit', (code, signal) => {
  api.close();
  process.exit(code ?? (signal ? 1 : 0));
});
