/**
 * `npm run bench:http` — what regate costs an HTTP API, measured with `wrk` (Debian package `wrk`) in one
 * run against three paths to the same upstream (test/bench/http-servers.ts):
 *
 * - direct: wrk → upstream;
 * - forwarder: wrk → a bare Node reverse proxy (keep-alive agent, piped bodies) → upstream: the
 *   baseline, what any Node proxy pays before deciding anything;
 * - regate: wrk → `regate serve` (starter policy, dev OIDC issuer, SQLite audit trail with `process`
 *   durability) → upstream, with a bearer token on every request; every request is authenticated,
 *   decided, recorded and forwarded.
 *
 * Each at c=1 and c=50. Reported: requests/s, p50 and p99 latency, the ratio of regate to the forwarder
 * (target ≥ 0.7) and the latency regate adds over the forwarder. Afterwards the audit trail is verified
 * and must hold one record per request regate answered.
 *
 * Options: --seconds <s> per case (default 5), --json, --identity admins|analyst (default admins:
 * allowed unmasked; analyst: allowed and masked).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/free-port.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : def;
};
const seconds = Number(opt('--seconds', '5'));
const asJson = args.includes('--json');
const group = opt('--identity', 'admins');

try {
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (err) {
  // wrk --version exits 1 after printing its version; only a missing binary is a failure.
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    console.error('bench:http needs wrk: install it with `apt-get install wrk` (Debian/Ubuntu)');
    process.exit(2);
  }
}

const children: ChildProcess[] = [];
function cleanup() {
  for (const c of children) c.kill('SIGTERM');
}
process.on('exit', cleanup);

/** Starts `node <args>` and resolves with the port it prints (`listening <port>`). */
function startServer(argv: string[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...argv], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/listening (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${argv.join(' ')} exited with ${code}`)));
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`regate serve exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

interface Result {
  path: string;
  connections: number;
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  non2xx: number;
}

function toMs(v: string): number {
  const m = v.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

function wrk(path: string, url: string, connections: number, headers: string[], duration = seconds): Result {
  const argv = [
    '-t',
    String(Math.min(2, connections)),
    '-c',
    String(connections),
    '-d',
    `${duration}s`,
    '--latency',
    ...headers.flatMap((h) => ['-H', h]),
    url,
  ];
  const out = execFileSync('wrk', argv, { encoding: 'utf8' });
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  const p50 = toMs(out.match(/\s50%\s+(\S+)/)?.[1] ?? '');
  const p99 = toMs(out.match(/\s99%\s+(\S+)/)?.[1] ?? '');
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  return { path, connections, requestsPerSec: rps, p50ms: p50, p99ms: p99, requests, non2xx };
}

const dir = mkdtempSync(join(tmpdir(), 'regate-bench-http-'));
try {
  const upstreamPort = await startServer(['test/bench/http-servers.ts', 'upstream']);
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  const forwarderPort = await startServer(['test/bench/http-servers.ts', 'forwarder', upstream]);

  const [httpPort, adminPort] = [await freePort(), await freePort()];
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      `data_dir: ${join(dir, 'data')}`,
      'instance: bench',
      'listeners:',
      `  http: { port: ${httpPort}, host: 127.0.0.1 }`,
      `admin: { port: ${adminPort}, host: 127.0.0.1 }`,
      'identity: { dev: true }',
      `policy: { dir: ${join(root, 'policies')} }`,
      'audit: { store: sqlite, path: audit.db, durability: process }',
      'targets:',
      `  - { name: bench-api, type: http, url: ${upstream}, match: { path_prefix: / }, labels: { env: dev } }`,
      '',
    ].join('\n'),
  );
  const regate = join(root, 'cli/bin/regate.js');
  const gateway = spawn(process.execPath, [regate, 'serve', '-c', config, '--log-level', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(gateway);
  await waitReady(`http://127.0.0.1:${adminPort}/readyz`, gateway);
  const token = execFileSync(
    process.execPath,
    [regate, 'token', '-c', config, '--user', 'bench', '--groups', group],
    { encoding: 'utf8', cwd: root },
  ).trim();
  const auth = [`Authorization: Bearer ${token}`];

  // A first request through each path, so that nothing below measures a cold start.
  for (const port of [upstreamPort, forwarderPort, httpPort]) {
    const r = await fetch(`http://127.0.0.1:${port}/customers/1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (r.status !== 200)
      throw new Error(`warm-up through port ${port} answered ${r.status}: ${await r.text()}`);
  }

  // Then load each path for a while unmeasured: the gateway compiles its policy's hot rules, V8 its
  // own hot paths, and a gateway in service runs warm.
  for (const port of [upstreamPort, forwarderPort, httpPort]) {
    wrk('warm-up', `http://127.0.0.1:${port}/customers/1`, 50, auth, Math.max(2, seconds));
  }

  const results: Result[] = [];
  for (const c of [1, 50]) {
    results.push(wrk('direct', `${upstream}/customers/1`, c, auth));
    results.push(wrk('forwarder', `http://127.0.0.1:${forwarderPort}/customers/1`, c, auth));
    results.push(wrk('regate', `http://127.0.0.1:${httpPort}/customers/1`, c, auth));
  }

  gateway.kill('SIGTERM');
  await new Promise((r) => gateway.once('exit', r));
  const verify = JSON.parse(
    execFileSync(
      process.execPath,
      [regate, 'audit', 'verify', '--store', join(dir, 'data', 'audit.db'), '--format', 'json'],
      { encoding: 'utf8', cwd: root },
    ),
  ) as { ok: boolean; chains: { records: number }[] };
  const records = verify.chains.reduce((a, c) => a + c.records, 0);
  const answered = results.filter((r) => r.path === 'regate').reduce((a, r) => a + r.requests, 0);
  // wrk counts the requests it completed; each is an action record (sessions add their own records).
  if (!verify.ok || records < answered)
    throw new Error(
      `the audit trail does not account for the run: ok=${verify.ok}, ${records} records for ${answered} requests`,
    );
  const audit = `${verify.ok ? 'verifies' : 'DOES NOT VERIFY'}; ${records.toLocaleString('en-US')} records for ${answered.toLocaleString('en-US')} requests`;

  const byKey = new Map(results.map((r) => [`${r.path}/${r.connections}`, r]));
  const rows = [1, 50].map((c) => {
    const f = byKey.get(`forwarder/${c}`) as Result;
    const g = byKey.get(`regate/${c}`) as Result;
    return {
      connections: c,
      ratio: g.requestsPerSec / f.requestsPerSec,
      addedP50ms: g.p50ms - f.p50ms,
      addedP99ms: g.p99ms - f.p99ms,
    };
  });
  if (asJson) {
    console.log(
      JSON.stringify(
        { seconds, identity: group, results, rows, audit: { ok: verify.ok, records, answered } },
        null,
        2,
      ),
    );
  } else {
    console.log(`node ${process.version}; wrk, ${seconds} s per case; token for a member of ${group}\n`);
    console.log(
      `${'path'.padEnd(12)}${'c'.padStart(4)}${'req/s'.padStart(12)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'non-2xx'.padStart(10)}`,
    );
    for (const r of results)
      console.log(
        `${r.path.padEnd(12)}${String(r.connections).padStart(4)}${Math.round(r.requestsPerSec).toLocaleString('en-US').padStart(12)}${r.p50ms.toFixed(2).padStart(10)}${r.p99ms.toFixed(2).padStart(10)}${String(r.non2xx).padStart(10)}`,
      );
    console.log('');
    for (const r of rows)
      console.log(
        `c=${r.connections}: regate ${r.ratio.toFixed(2)}x the forwarder's throughput (target >= 0.70); adds ${r.addedP50ms.toFixed(2)} ms p50, ${r.addedP99ms.toFixed(2)} ms p99`,
      );
    console.log(`\naudit trail: ${audit}`);
  }
} finally {
  cleanup();
  rmSync(dir, { recursive: true, force: true });
}
