/**
 * The README's quickstart, step by step, with the commands a new user types: the example API, `regate
 * serve` with examples/quickstart/gateway.yaml, `regate token`, `curl`, `regate approvals --gateway` and
 * `regate audit verify`. The only change to the config is where it listens and keeps its files (free
 * ports and a temporary directory, so the test runs beside anything else on the machine).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleApi } from '../../examples/quickstart/api.js';
import { freePort } from '../support/free-port.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const regateBin = join(root, 'cli/bin/regate.js');
const env = { ...process.env, REGATE_FROM_SOURCE: '1' };

async function regate(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [regateBin, ...args], { cwd: root, env });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

const dir = mkdtempSync(join(tmpdir(), 'regate-quickstart-'));
let api: Server;
let gateway: ChildProcess;
let config: string;
let http: string;
let admin: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const [apiPort, httpPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  api = await startExampleApi(apiPort);
  http = `http://127.0.0.1:${httpPort}`;
  admin = `http://127.0.0.1:${adminPort}`;
  const original = readFileSync(join(root, 'examples/quickstart/gateway.yaml'), 'utf8');
  const edited = original
    .replace(/^data_dir: .*$/m, `data_dir: ${join(dir, 'data')}`)
    .replace('port: 8080', `port: ${httpPort}`)
    .replace('port: 8081', `port: ${adminPort}`)
    .replace('http://127.0.0.1:9090', `http://127.0.0.1:${apiPort}`)
    .replace('dir: ../../policies', `dir: ${join(root, 'policies')}`);
  for (const [what, changed] of [
    ['data_dir', edited.includes(join(dir, 'data'))],
    ['listener ports', edited.includes(`port: ${httpPort}`) && edited.includes(`port: ${adminPort}`)],
    ['target url', edited.includes(`127.0.0.1:${apiPort}`)],
  ] as const)
    if (!changed)
      throw new Error(`examples/quickstart/gateway.yaml changed shape: update this test (${what})`);
  config = join(dir, 'gateway.yaml');
  writeFileSync(config, edited);
  gateway = spawn(process.execPath, [regateBin, 'serve', '-c', config], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  gateway.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  for (let i = 0; ; i++) {
    if (gateway.exitCode !== null) throw new Error(`regate serve exited: ${log}`);
    const ready = await fetch(`${admin}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 600) throw new Error(`regate serve did not become ready: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const [name, groups] of [
    ['ann', 'analyst'],
    ['alice', 'admins'],
    ['bob', 'admins'],
  ] as const) {
    const minted = await regate('token', '-c', config, '--user', name, '--groups', groups);
    expect(minted.code, minted.stderr).toBe(0);
    tokens[name] = minted.stdout.trim();
  }
}, 120_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway.once('exit', r));
  }
  api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const bearer = (name: string) => ['-H', `Authorization: Bearer ${tokens[name]}`];

describe('the README quickstart', () => {
  it('masks card numbers and SSNs for an analyst, in JSON and in plain text', async () => {
    const json = await curl(...bearer('ann'), `${http}/customers/1`);
    expect(json.status).toBe(200);
    const customer = JSON.parse(json.body);
    expect(customer.card).toBe('**** **** **** 1111');
    expect(customer.ssn).toBe('[REDACTED]');
    expect(customer.name).toBe('Ada Lovelace');
    const text = await curl(...bearer('ann'), `${http}/customers/2/notes`);
    expect(text.body).toContain('Paid with card **** **** **** 4444.');
    expect(text.body).not.toContain('5555 5555 5555 4444');
  });

  it('blocks an analyst on an admin route and a caller without a token', async () => {
    const blocked = await curl(...bearer('ann'), `${http}/admin/stats`);
    expect(blocked.status).toBe(403);
    expect(JSON.parse(blocked.body)).toMatchObject({
      error: 'blocked by policy',
      reasons: ['/admin/stats is an admin route: only admins may use it'],
    });
    const anonymous = await curl(`${http}/customers`);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).code).toBe('ERR_TOKEN_MISSING');
  });

  it('lets an admin read unmasked', async () => {
    const r = await curl(...bearer('alice'), `${http}/customers/1`);
    expect(JSON.parse(r.body).card).toBe('4111 1111 1111 1111');
  });

  it('holds an admin write until a second admin approves it through the admin API', async () => {
    const held = curl(
      '-X',
      'POST',
      ...bearer('alice'),
      '-H',
      'content-type: application/json',
      '-d',
      '{"name":"eve"}',
      `${http}/admin/users`,
    );
    let id: string | undefined;
    for (let i = 0; i < 100 && id === undefined; i++) {
      const list = await regate('approvals', 'list', '--gateway', admin, '--token', tokens.bob as string);
      expect(list.code, list.stderr).toBe(0);
      id = list.stdout.match(/apr_[A-Za-z0-9_-]+/)?.[0];
      if (id === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    expect(id).toBeDefined();
    const own = await regate(
      'approvals',
      'approve',
      id as string,
      '--gateway',
      admin,
      '--token',
      tokens.alice as string,
    );
    expect(own.code).not.toBe(0);
    expect(own.stderr).toMatch(/cannot approve it/);
    const vote = await regate(
      'approvals',
      'approve',
      id as string,
      '--gateway',
      admin,
      '--token',
      tokens.bob as string,
      '--reason',
      'ok',
    );
    expect(vote.code, vote.stderr).toBe(0);
    const done = await held;
    expect(done.status).toBe(201);
    expect(JSON.parse(done.body)).toMatchObject({ name: 'eve' });
  }, 60_000);

  it('leaves an audit trail that verifies after the gateway stops', async () => {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway.once('exit', r));
    const verified = await regate('audit', 'verify', '--store', join(dir, 'data', 'audit.db'));
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/verified/);
    const search = await regate(
      'audit',
      'search',
      '--store',
      join(dir, 'data', 'audit.db'),
      '--identity',
      'ann',
    );
    expect(search.stdout).toMatch(/block\/blocked\s+GET \/admin\/stats/);
    expect(search.stdout).toMatch(/mask\/forwarded\s+GET \/customers\/1/);
  }, 60_000);
});
