/**
 * The gateway in front of a real OpenID Provider (oidc-provider, in this process): people sign in with
 * the device flow and services with client credentials, exactly as they would against their IdP, and
 * their access tokens go through the gateway to a real upstream. Then the identity matrix: every kind of
 * bad token is refused with 401, recorded, and never reaches the upstream.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { type AuditRecord, parsePublicKey, recordOf, SqliteStore, verifyChain } from '@regate/audit';
import { startDeviceLogin } from '@regate/identity';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approveDevice,
  CLI_CLIENT,
  signingKey,
  startIssuer,
  type TestIssuer,
} from '../../identity/src/test-support.js';
import { type GatewayConfig, parseConfig } from './config.js';
import { Gateway } from './gateway.js';
import { createLogger } from './logger.js';
import { removeTempTrees, tempTree } from './test-support.js';

const POLICIES = new URL('../../../policies', import.meta.url).pathname;

interface Upstream {
  server: Server;
  url: string;
  /** Request lines the upstream received. */
  seen: string[];
}

/** The upstream: a customer with an SSN, an admin route, a stream, and a WebSocket-ish upgrade. */
async function startUpstream(): Promise<Upstream> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      if (req.url === '/customers/1') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 1, name: 'Ada', ssn: '123-45-6789' }));
      } else if (req.url === '/admin/users' && req.method === 'POST') {
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"created":true}');
      } else if (req.url === '/stream') {
        // The first chunk now, the rest only once the test says so: a response that streams.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first chunk\n');
        releases.push(() => res.end('last chunk\n'));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  // A minimal upgrade answer: enough to prove the gateway let the handshake through.
  server.on('upgrade', (req, socket) => {
    seen.push(`UPGRADE ${req.url}`);
    socket.end(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n',
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
const releases: (() => void)[] = [];

let idp: TestIssuer;
let up: Upstream;
let gateway: Gateway;
let config: GatewayConfig;
const answered: string[] = [];
/** How far the gateway's clock runs ahead of the real one (moved to expire an approval). */
let skew = 0;
const tokens: Record<string, string> = {};

async function deviceToken(user: string): Promise<string> {
  const login = await startDeviceLogin({ issuer: idp.issuer, clientId: CLI_CLIENT, resource: 'urn:regate' });
  const [t] = await Promise.all([login.wait(), approveDevice(login.verificationUri, login.userCode, user)]);
  return t.accessToken;
}

async function http(path: string, init: { token?: string; method?: string; body?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${gateway.addresses.http}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const id = res.headers.get('regate-request-id');
  if (id) answered.push(id);
  return res;
}

async function admin(path: string, token: string, body?: unknown) {
  return fetch(`${gateway.addresses.admin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function pendingApproval(token: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const body = (await (await admin('/v1/approvals?state=pending', token)).json()) as {
      approvals: { id: string }[];
    };
    if (body.approvals[0]) return body.approvals[0].id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no pending approval appeared');
}

beforeAll(async () => {
  idp = await startIssuer();
  up = await startUpstream();
  config = parseConfig(
    {
      data_dir: join(tempTree(), 'data'),
      instance: 'gw-oidc',
      listeners: { http: { port: 0, host: '127.0.0.1' } },
      admin: { port: 0, host: '127.0.0.1' },
      identity: { issuer: idp.issuer, audience: 'regate' },
      policy: { dir: POLICIES },
      audit: { store: 'sqlite', checkpoint_interval: '0s' },
      approvals: { http_mode: 'hold', hold_timeout: '2m' },
      targets: [
        {
          name: 'example-api',
          type: 'http',
          url: up.url,
          match: { path_prefix: '/' },
          labels: { env: 'dev' },
        },
      ],
    },
    { baseDir: tempTree(), env: {} },
  );
  gateway = await Gateway.start(config, {
    logger: createLogger({ level: 'error', write: () => {} }),
    clock: () => new Date(Date.now() + skew),
  });
  // Services with client credentials (svc: groups dba and ops); people with the device flow.
  tokens.svc = await idp.serviceToken();
  tokens.carol = await deviceToken('carol');
  tokens.dave = await deviceToken('dave');
}, 60_000);

afterAll(async () => {
  await gateway?.stop({ graceMs: 0 }).catch(() => {});
  up?.server.close();
  await idp?.close();
  removeTempTrees();
});

describe('Gateway with a real OpenID Provider', () => {
  it('masks what a service reads, allows an admin unmasked, and blocks the service on an admin route', async () => {
    const masked = await http('/customers/1', { token: tokens.svc as string });
    expect(masked.status).toBe(200);
    expect(await masked.json()).toMatchObject({ name: 'Ada', ssn: expect.not.stringContaining('6789') });

    const plain = await http('/customers/1', { token: tokens.carol as string });
    expect(await plain.json()).toMatchObject({ ssn: '123-45-6789' });

    const before = up.seen.length;
    const blocked = await http('/admin/stats', { token: tokens.svc as string });
    expect(blocked.status).toBe(403);
    expect(up.seen.length).toBe(before);
  });

  it('holds an admin write for a second admin: four-eyes approve, and deny', async () => {
    const held = http('/admin/users', {
      token: tokens.carol as string,
      method: 'POST',
      body: '{"name":"eve"}',
    });
    const id = await pendingApproval(tokens.dave as string);
    const own = await admin(`/v1/approvals/${id}/approve`, tokens.carol as string, { reason: 'mine' });
    expect(own.status).toBe(409);
    expect(((await own.json()) as { code: string }).code).toBe('ERR_APPROVAL_SELF_APPROVAL');
    const vote = await admin(`/v1/approvals/${id}/approve`, tokens.dave as string, { reason: 'ok' });
    expect(vote.status).toBe(200);
    expect((await held).status).toBe(201);

    const second = http('/admin/users', {
      token: tokens.carol as string,
      method: 'POST',
      body: '{"name":"mal"}',
    });
    const id2 = await pendingApproval(tokens.dave as string);
    expect((await admin(`/v1/approvals/${id2}/deny`, tokens.dave as string, { reason: 'no' })).status).toBe(
      200,
    );
    const denied = await second;
    expect(denied.status).toBe(403);
    expect(up.seen.filter((l) => l === 'POST /admin/users')).toHaveLength(1);
  });

  it('refuses a held request once its approval expires by the gateway clock, and forwards nothing', async () => {
    const posts = up.seen.filter((l) => l === 'POST /admin/users').length;
    const held = http('/admin/users', {
      token: tokens.carol as string,
      method: 'POST',
      body: '{"name":"late"}',
    });
    await pendingApproval(tokens.dave as string);
    skew += 10 * 60_000 + 1000; // past the approvals' default timeout (10 minutes)
    const res = await held;
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('ERR_HTTP_APPROVAL_EXPIRED');
    expect(up.seen.filter((l) => l === 'POST /admin/users').length).toBe(posts);
  });

  it('streams a response before the upstream has finished it', async () => {
    const res = await http('/stream', { token: tokens.carol as string });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('first chunk\n');
    releases.shift()?.();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('last chunk\n');
  });

  it('decides a WebSocket upgrade: let through for an admin, refused without a token', async () => {
    const upgrade = (token?: string) =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(gateway.addresses.http as string);
        const socket = connect(Number(port), '127.0.0.1');
        let text = '';
        socket.on('data', (d) => {
          text += d.toString();
        });
        socket.on('end', () => resolve(text));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        socket.write(
          [
            'GET /ws HTTP/1.1',
            'Host: example',
            'Upgrade: websocket',
            'Connection: Upgrade',
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
            'Sec-WebSocket-Version: 13',
            ...(token ? [`Authorization: Bearer ${token}`] : []),
            '',
            '',
          ].join('\r\n'),
        );
      });
    expect(await upgrade(tokens.carol)).toMatch(/^HTTP\/1\.1 101/);
    expect(up.seen).toContain('UPGRADE /ws');
    const seen = up.seen.length;
    expect(await upgrade()).toMatch(/^HTTP\/1\.1 401/);
    expect(up.seen.length).toBe(seen);
  });
});

describe('Gateway identity matrix', () => {
  /** A token signed with the provider's own key (so only the claim under test is wrong). */
  async function signed(
    claims: Record<string, unknown>,
    header: Record<string, unknown> = {},
  ): Promise<string> {
    const key = idp.keys[0] as Awaited<ReturnType<typeof signingKey>>;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: idp.issuer,
      aud: 'regate',
      sub: 'mallory',
      groups: ['admins'],
      iat: now,
      exp: now + 600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt', ...header })
      .sign(key.privateKey);
  }

  it('refuses each bad token with 401, records the refusal, and forwards nothing', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await signed({});
    const [h, p] = good.split('.') as [string, string, string];
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const publicPem = (idp.keys[0] as Awaited<ReturnType<typeof signingKey>>).publicJwk;
    const hs256 = async () => {
      // HS256 "signed" with the issuer's public key as the shared secret: the classic key-confusion forgery.
      const secret = new TextEncoder().encode(JSON.stringify(publicPem));
      return new SignJWT({ iss: idp.issuer, aud: 'regate', sub: 'mallory', iat: now, exp: now + 600 })
        .setProtectedHeader({ alg: 'HS256', kid: (idp.keys[0] as { kid: string }).kid })
        .sign(secret);
    };
    const ghost = await signingKey('ghost-kid');
    const cases: [string, string | undefined, string][] = [
      ['expired', await signed({ iat: now - 7200, exp: now - 3600 }), 'ERR_TOKEN_EXPIRED'],
      [
        'not yet valid',
        await signed({ nbf: now + 3600, iat: now + 3600, exp: now + 7200 }),
        'ERR_TOKEN_NOT_YET_VALID',
      ],
      ['wrong issuer', await signed({ iss: 'https://evil.example.com' }), 'ERR_TOKEN_ISSUER'],
      ['wrong audience', await signed({ aud: 'another-service' }), 'ERR_TOKEN_AUDIENCE'],
      [
        'unknown kid',
        await new SignJWT({ iss: idp.issuer, aud: 'regate', sub: 'mallory', iat: now, exp: now + 600 })
          .setProtectedHeader({ alg: 'RS256', kid: 'ghost-kid' })
          .sign(ghost.privateKey),
        'ERR_TOKEN_KEY_UNKNOWN',
      ],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`, 'ERR_TOKEN_ALGORITHM'],
      ['HS256 with the public key', await hs256(), 'ERR_TOKEN_ALGORITHM'],
      [
        'tampered payload',
        `${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'root' })}.${good.split('.')[2]}`,
        'ERR_TOKEN_SIGNATURE',
      ],
      ['missing', undefined, 'ERR_TOKEN_MISSING'],
      ['garbage', 'abc.def.ghi', 'ERR_TOKEN_MALFORMED'],
    ];
    const before = up.seen.length;
    for (const [name, token, code] of cases) {
      const res = await http('/customers/1', token === undefined ? {} : { token });
      expect(res.status, name).toBe(401);
      expect(((await res.json()) as { code: string }).code, name).toBe(code);
    }
    expect(up.seen.length).toBe(before);
  });
});

describe('Gateway audit trail after a real IdP session', () => {
  it('verifies, and holds a record for every request the gateway answered', async () => {
    await gateway.stop({ graceMs: 1000 });
    const audit = config.audit as { path: string; signingKeyPath: string };
    const store = new SqliteStore({ path: audit.path, readonly: true, writer: 'inline' });
    try {
      const key = parsePublicKey(readFileSync(audit.signingKeyPath, 'utf8'), 'audit key');
      const report = await verifyChain(store, 'gw-oidc', { publicKeys: [key] });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      const records: AuditRecord[] = [];
      for await (const page of store.scan('gw-oidc')) records.push(...page.map(recordOf));
      const actions = new Map(
        records.flatMap((r) => (r.type === 'action' ? [[r.action.id, r] as const] : [])),
      );
      for (const id of answered) expect(actions.has(id), `request ${id} has no action record`).toBe(true);
      // The refusals name who presented what: anonymous, blocked, with the token error as the reason.
      const refused = [...actions.values()].filter(
        (r) => r.type === 'action' && r.outcome === 'blocked' && r.action.identity.subject === 'anonymous',
      );
      expect(refused.length).toBeGreaterThanOrEqual(10);
      const subjects = new Set(
        [...actions.values()].map((r) => (r.type === 'action' ? r.action.identity.subject : '')),
      );
      expect(subjects).toEqual(new Set(['svc', 'carol', 'anonymous']));
    } finally {
      await store.close();
    }
  });
});
