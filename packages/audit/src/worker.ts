/**
 * Starts one of this package's worker threads. Under the test runner and tsx this module is TypeScript
 * source; a worker does not inherit the parent's loader hooks, so it then registers tsx's loader before
 * importing the entry. Built, it runs the compiled `.js` entry directly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * tsx's ESM register API, resolved from this package (not from whatever directory the process runs
 * in). The CommonJS resolver finds tsx's package.json; its `exports` name the ESM entry.
 */
function tsxApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const exports = (
    require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> }
  ).exports;
  const entry = exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs';
  return pathToFileURL(join(dirname(manifest), entry)).href;
}

/** Starts `<entry>.js` (or `.ts` from source) beside this module with `workerData`. */
export function startWorker(entry: string, workerData: unknown): Worker {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new Worker(
        `import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL(`./${entry}.ts`, here).href)}); });`,
        { eval: true, workerData },
      )
    : new Worker(new URL(`./${entry}.js`, here), { workerData });
}
