/**
 * `regate approvals … --gateway` and `regate audit search|export --gateway` against a gateway running in
 * this process (starter policies, dev issuer, SQLite audit trail, a real upstream): the real binary, as
 * an approver runs it, with their own token.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger, Gateway, parseConfig } from '@regate/gateway';
import { DevIssuer } from '@regate/identity';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, type CliResult, cleanup, tree } from './test-support.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const POLICIES = new URL('../../policies', import.meta.url).pathname;

/** Runs the real `regate` with `env` added (REGATE_TOKEN) and no stored login token. */
function run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: home,
      env: {
        ...process.env,
        REGATE_TOKEN: '',
        XDG_CONFIG_HOME: home,
        REGATE_FROM_SOURCE: '1',
        NO_COLOR: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let home: string;
let upstream: Server;
let gateway: Gateway;
let admin: string;
const tokens: Record<string, string> = {};
let held: Promise<Response>;

beforeAll(async () => {
  home = tree({ 'README.txt': 'no stored token here\n' });
  upstream = createServer((req, res) => {
    req.resume();
    res.statusCode = req.method === 'POST' ? 201 : 200;
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const config = parseConfig(
    {
      data_dir: join(home, 'state'),
      instance: 'gw-cli',
      listeners: { http: { port: 0 } },
      admin: { port: 0 },
      identity: { dev: true },
      policy: { dir: POLICIES },
      targets: [
        {
          name: 'example-api',
          type: 'http',
          url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
          match: { path_prefix: '/' },
          labels: { env: 'dev' },
        },
      ],
    },
    { baseDir: home, env: {} },
  );
  gateway = await Gateway.start(config, { logger: createLogger({ level: 'error', write: () => {} }) });
  admin = gateway.addresses.admin;
  const issuer = await DevIssuer.open({
    keyPath: join(home, 'state', 'dev-issuer.jwk'),
    issuer: gateway.addresses.devIssuer as string,
  });
  for (const [who, groups] of [
    ['carla', ['admins']],
    ['dave', ['admins']],
    ['alice', ['analyst']],
  ] as const)
    tokens[who] = await issuer.mint({ subject: who, groups: [...groups] });
  // An admin write the starter policy holds for a second admin.
  held = fetch(`${gateway.addresses.http}/admin/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.carla}`, 'content-type': 'application/json' },
    body: '{"name":"eve"}',
  });
});

afterAll(async () => {
  await gateway?.stop({ graceMs: 0 }).catch(() => {});
  upstream?.close();
  cleanup();
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function pendingId(): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const r = await fetch(`${admin}/v1/approvals?state=pending`, {
      headers: { authorization: `Bearer ${tokens.dave}` },
    });
    const body = (await r.json()) as { approvals: { id: string }[] };
    if (body.approvals[0]) return body.approvals[0].id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no pending approval');
}

describe('regate approvals --gateway', () => {
  it('lists, shows, refuses the requester’s own vote, and approves as another admin', async () => {
    const id = await pendingId();
    const list = await run(['approvals', 'list', '--gateway', admin, '--token', tokens.dave as string]);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${id}  pending`);
    expect(list.stdout).toContain('http.request on example-api by carla');
    expect(list.stdout).toContain('POST /admin/users');

    const mine = await run(['approvals', 'list', '--mine', '--format', 'json', '--gateway', admin], {
      REGATE_TOKEN: tokens.carla as string,
    });
    expect(JSON.parse(mine.stdout)).toEqual([]); // her own request is not hers to vote on

    const show = await run([
      'approvals',
      'show',
      id,
      '--format',
      'json',
      '--gateway',
      admin,
      '--token',
      tokens.dave as string,
    ]);
    expect(JSON.parse(show.stdout)).toMatchObject({ id, state: 'pending', requester: { subject: 'carla' } });

    const own = await run(['approvals', 'approve', id, '--gateway', admin], {
      REGATE_TOKEN: tokens.carla as string,
    });
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('[ERR_APPROVAL_SELF_APPROVAL]');
    expect(own.stderr).toContain('Another approver must decide it');

    const ok = await run(['approvals', 'approve', id, '--reason', 'ticket 42', '--gateway', admin], {
      REGATE_TOKEN: tokens.dave as string,
    });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${id} approved: dave's vote completed it`);
    expect((await held).status).toBe(201);
  });

  it('says what is wrong: no token, a caller the policy refuses, an unreachable gateway, mixed options', async () => {
    const none = await run(['approvals', 'list', '--gateway', admin]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('[ERR_TOKEN_MISSING]');
    expect(none.stderr).toContain('--gateway needs your OIDC token');

    const analyst = await run(['approvals', 'list', '--gateway', admin, '--token', tokens.alice as string]);
    expect(analyst.code).toBe(1);
    expect(analyst.stderr).toContain('the gateway answered 403: alice may not approvals.read');
    expect(analyst.stderr).toContain('[ERR_ADMIN_FORBIDDEN]');

    const forged = await run(['approvals', 'list', '--gateway', admin, '--token', 'not-a-token']);
    expect(forged.stderr).toContain('[ERR_ADMIN_UNAUTHENTICATED]');

    const closed = await closedPort();
    const down = await run(['approvals', 'list', '--gateway', `http://127.0.0.1:${closed}`, '--token', 'x']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach the gateway at http://127.0.0.1:${closed}: ECONNREFUSED`);

    const mixed = await run([
      'approvals',
      'approve',
      'apr_x',
      '--as',
      'bob',
      '--gateway',
      admin,
      '--token',
      'x',
    ]);
    expect(mixed.stderr).toContain('--as does not go with --gateway: you act as the identity of your token');
    const deny = await run([
      'approvals',
      'deny',
      'apr_x',
      '--gateway',
      admin,
      '--token',
      tokens.dave as string,
    ]);
    expect(deny.stderr).toContain('regate approvals deny needs --reason');
  });
});

describe('regate audit --gateway', () => {
  it('searches the trail and exports a session through the admin API', async () => {
    const search = await run([
      'audit',
      'search',
      '--gateway',
      admin,
      '--token',
      tokens.dave as string,
      '--identity',
      'carla',
      '--kind',
      'http.request',
      '--format',
      'json',
    ]);
    expect(search.stderr).toBe('');
    const { records } = JSON.parse(search.stdout) as {
      records: {
        type: string;
        outcome: string;
        action: { session: { id: string }; http: { path: string } };
      }[];
    };
    const actions = records.filter((r) => r.type === 'action');
    // Held (recorded when the approval was asked for), then approved and forwarded.
    expect(actions.map((r) => r.outcome)).toContain('approved');
    expect(actions.every((r) => r.action.http.path === '/admin/users')).toBe(true);
    const session = actions[0]?.action.session.id as string;

    const pretty = await run([
      'audit',
      'search',
      '--gateway',
      admin,
      '--token',
      tokens.dave as string,
      '--identity',
      'carla',
    ]);
    expect(pretty.stdout).toMatch(/gw-cli:\d+ +carla +example-api +http\.request/);

    const transcript = await run([
      'audit',
      'export',
      '--gateway',
      admin,
      '--token',
      tokens.dave as string,
      '--session',
      session,
      '--format',
      'transcript',
    ]);
    expect(transcript.code).toBe(0);
    expect(transcript.stdout).toContain('/admin/users');

    const jsonl = await run([
      'audit',
      'export',
      '--gateway',
      admin,
      '--token',
      tokens.dave as string,
      '--session',
      session,
    ]);
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { session?: string; seq: number });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l, i) => i === 0 || l.seq > (lines[i - 1]?.seq ?? 0))).toBe(true);
  });

  it('refuses a reader the policy does not grant, and the subcommands that need the store', async () => {
    const analyst = await run(['audit', 'search', '--gateway', admin, '--token', tokens.alice as string]);
    expect(analyst.code).toBe(1);
    expect(analyst.stderr).toContain('[ERR_ADMIN_FORBIDDEN]');
    const verify = await run(['audit', 'verify', '--gateway', admin]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('regate audit verify works on the store itself, not through --gateway');
    const both = await run(['audit', 'search', '--gateway', admin, '--store', 'x.db']);
    expect(both.stderr).toContain('give --store or --gateway, not both');
    const bad = await run([
      'audit',
      'search',
      '--gateway',
      admin,
      '--token',
      tokens.dave as string,
      '--since',
      'soon',
    ]);
    expect(bad.code).toBe(1);
  });
});
