/**
 * The gateway end to end, in this process: the starter policies of the repository, the dev issuer,
 * a SQLite audit trail in a temporary data dir, a real upstream HTTP server on port 0, and real `fetch`
 * clients for both the HTTP listener and the admin API.
 */
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AuditRecord, parsePublicKey, recordOf, SqliteStore, verifyChain } from '@regate/audit';
import { DevIssuer } from '@regate/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountTmpfs, TMPFS_NEEDS, unmountTmpfs } from '../../audit/src/test-support.js';
import { type GatewayConfig, parseConfig } from './config.js';
import { Gateway } from './gateway.js';
import { createLogger } from './logger.js';
import { removeTempTrees, tempTree } from './test-support.js';

const POLICIES = new URL('../../../policies', import.meta.url).pathname;

// biome-ignore lint/suspicious/noExplicitAny: a test's view of JSON it checks field by field
type Json = any;
const json = (r: Response): Promise<Json> => r.json();

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The upstream the gateway fronts: what it received, and a few routes. */
async function startUpstream(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url === '/customers/1') {
        res.end(JSON.stringify({ id: 1, name: 'Ada', ssn: '123-45-6789' }));
      } else if (req.method === 'POST' && req.url === '/admin/users') {
        res.statusCode = 201;
        res.end(JSON.stringify({ created: true }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function configFor(dataDir: string, upstream: string, more: Record<string, unknown> = {}): GatewayConfig {
  return parseConfig(
    {
      data_dir: dataDir,
      instance: 'gw-e2e',
      listeners: { http: { port: 0, host: '127.0.0.1' } },
      admin: { port: 0, host: '127.0.0.1' },
      identity: { dev: true },
      policy: { dir: POLICIES },
      audit: { store: 'sqlite', checkpoint_interval: '0s' },
      approvals: { http_mode: 'hold', hold_timeout: '2m' },
      targets: [
        {
          name: 'example-api',
          type: 'http',
          url: upstream,
          match: { path_prefix: '/' },
          labels: { env: 'dev' },
        },
      ],
      ...more,
    },
    { baseDir: tempTree(), env: {} },
  );
}

const quiet = () => createLogger({ level: 'error', write: () => {} });

/** Waits for a condition the gateway reaches on its own (a request held, a vote seen). */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Everything one running gateway needs in a test: its URLs, tokens, and the request ids it answered. */
class Harness {
  readonly ids: string[] = [];
  #issuer!: DevIssuer;

  constructor(
    readonly gateway: Gateway,
    readonly config: GatewayConfig,
  ) {}

  async init(): Promise<this> {
    this.#issuer = await DevIssuer.open({
      keyPath: (this.config.identity as { keyPath: string }).keyPath,
      issuer: this.gateway.addresses.devIssuer as string,
    });
    return this;
  }

  token(subject: string, groups: string[]): Promise<string> {
    return this.#issuer.mint({ subject, groups });
  }

  async http(path: string, init: { token?: string; method?: string; body?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.gateway.addresses.http}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const id = res.headers.get('regate-request-id');
    if (id) this.ids.push(id);
    return res;
  }

  admin(path: string, init: { token?: string; method?: string; body?: unknown } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.gateway.addresses.admin}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  }

  /** The one pending approval request, once the gateway holds it. */
  pending(token: string): Promise<{ id: string }> {
    return until('a pending approval', async () => {
      const body = await json(await this.admin('/v1/approvals?state=pending', { token }));
      return body.approvals[0];
    });
  }

  /** After stop: the chain verifies with the gateway's key, and every answered request is recorded. */
  async verifyAfterStop(): Promise<AuditRecord[]> {
    const audit = this.config.audit as { path: string; signingKeyPath: string };
    const store = new SqliteStore({ path: audit.path, readonly: true, writer: 'inline' });
    try {
      const key = parsePublicKey(
        execFileSync('cat', [audit.signingKeyPath], { encoding: 'utf8' }),
        'audit key',
      );
      const report = await verifyChain(store, 'gw-e2e', { publicKeys: [key] });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.unsigned).toBe(0);
      const records: AuditRecord[] = [];
      for await (const page of store.scan('gw-e2e')) records.push(...page.map(recordOf));
      const actionIds = new Set(records.flatMap((r) => (r.type === 'action' ? [r.action.id] : [])));
      for (const id of this.ids) expect(actionIds.has(id), `request ${id} has no action record`).toBe(true);
      return records;
    } finally {
      await store.close();
    }
  }
}

afterAll(removeTempTrees);

describe('Gateway', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let h: Harness;
  let alice: string; // analyst: reads, masked
  let carla: string; // admin
  let dave: string; // admin
  let nobody: string; // no role at all

  beforeAll(async () => {
    up = await startUpstream();
    const config = configFor(join(tempTree(), 'data'), up.url);
    h = await new Harness(await Gateway.start(config, { logger: quiet() }), config).init();
    alice = await h.token('alice', ['analyst']);
    carla = await h.token('carla', ['admins']);
    dave = await h.token('dave', ['admins']);
    nobody = await h.token('nobody', []);
  });

  afterAll(async () => {
    await h?.gateway.stop({ graceMs: 0 }).catch(() => {});
    up?.server.close();
  });

  it('listens where its addresses say, with the dev issuer on the admin listener', async () => {
    expect(h.gateway.addresses.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.gateway.addresses.devIssuer).toBe(`${h.gateway.addresses.admin}/dev-issuer`);
    const discovery = await json(await h.admin('/dev-issuer/.well-known/openid-configuration'));
    expect(discovery.issuer).toBe(h.gateway.addresses.devIssuer);
    expect((await h.admin('/readyz')).status).toBe(200);
  });

  it('forwards an allowed request, masked for an analyst, without the client’s token', async () => {
    const res = await h.http('/customers/1', { token: alice });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ id: 1, name: 'Ada' });
    expect(body.ssn).not.toBe('123-45-6789');
    const last = up.seen[up.seen.length - 1];
    expect(last).toMatchObject({ method: 'GET', url: '/customers/1' });
    expect(last?.headers.authorization).toBeUndefined();
  });

  it('blocks with 403 what the policy refuses, and never forwards it', async () => {
    const before = up.seen.length;
    const admin = await h.http('/admin/users', { token: alice });
    expect(admin.status).toBe(403);
    expect((await json(admin)).reasons).toEqual(['/admin/users is an admin route: only admins may use it']);
    const stranger = await h.http('/customers/1', { token: nobody });
    expect(stranger.status).toBe(403);
    expect(up.seen.length).toBe(before);
  });

  it('answers 401 to a request without a token, or with a forged one', async () => {
    const before = up.seen.length;
    expect((await h.http('/customers/1')).status).toBe(401);
    expect((await h.http('/customers/1', { token: `${alice.slice(0, -4)}AAAA` })).status).toBe(401);
    expect(up.seen.length).toBe(before);
  });

  it('answers the admin API 401 without a token and 403 to a caller who is not an admin', async () => {
    expect((await h.admin('/v1/policy')).status).toBe(401);
    const r = await h.admin('/v1/policy', { token: alice });
    expect(r.status).toBe(403);
    expect((await json(r)).code).toBe('ERR_ADMIN_FORBIDDEN');
    const ok = await json(await h.admin('/v1/policy', { token: carla }));
    expect(ok).toMatchObject({ revision: h.gateway.engine.revision, entrypoint: 'regate' });
  });

  it('holds an admin write until another admin approves it; the requester cannot approve it', async () => {
    const before = up.seen.length;
    const held = h.http('/admin/users', { token: carla, method: 'POST', body: '{"name":"eve"}' });
    const { id } = await h.pending(dave);
    expect(up.seen.length).toBe(before);
    const own = await h.admin(`/v1/approvals/${id}/approve`, { token: carla, method: 'POST', body: {} });
    expect(own.status).toBe(409);
    expect((await json(own)).code).toBe('ERR_APPROVAL_SELF_APPROVAL');
    const vote = await h.admin(`/v1/approvals/${id}/approve`, {
      token: dave,
      method: 'POST',
      body: { reason: 'ok' },
    });
    expect(vote.status).toBe(200);
    const res = await held;
    expect(res.status).toBe(201);
    expect(up.seen[up.seen.length - 1]).toMatchObject({ method: 'POST', url: '/admin/users' });
  });

  it('finds the requests in the audit trail through the admin API', async () => {
    const r = await json(
      await h.admin('/v1/audit/records?identity=alice&kind=http.request&order=asc', { token: carla }),
    );
    expect(r.records.map((x: Json) => [x.action.http.path, x.effect, x.outcome])).toEqual([
      ['/customers/1', 'mask', 'forwarded'],
      ['/admin/users', 'block', 'blocked'],
    ]);
    const approved = await json(
      await h.admin('/v1/audit/records?identity=carla&outcome=approved', { token: carla }),
    );
    expect(approved.records.length).toBeGreaterThan(0);
    expect((await h.admin('/v1/audit/records', { token: alice })).status).toBe(403);
  });

  it('counts decisions, appends and admin calls in /metrics', async () => {
    const text = await (await h.admin('/metrics', { token: carla })).text();
    expect(text).toMatch(/^regate_decisions_total\{effect="mask",kind="http.request"\} 1$/m);
    expect(text).toMatch(/^regate_decisions_total\{effect="block",kind="http.request"\} 1$/m);
    expect(text).toMatch(/^regate_decisions_total\{effect="require_approval",kind="http.request"\} 1$/m);
    expect(text).toMatch(/^regate_approvals_opened_total 1$/m);
    expect(text).toMatch(/^regate_audit_append_duration_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^regate_admin_requests_total\{status="403"\} [1-9]/m);
    expect(text).toMatch(/^regate_held_requests\{protocol="http"\} 0$/m);
    expect(text).toMatch(/^regate_audit_up 1$/m);
    expect(text).toContain(`regate_policy_info{revision="${h.gateway.engine.revision}"`);
  });

  it('stops gracefully with a held request: it is approved during the grace period and completes', async () => {
    const held = h.http('/admin/users', { token: carla, method: 'POST', body: '{"name":"frank"}' });
    const { id } = await h.pending(dave);
    const stopped = h.gateway.stop({ graceMs: 60_000 });
    // Stopping: not ready, no new connections on the HTTP listener, but votes are still taken.
    const ready = await h.admin('/readyz');
    expect(ready.status).toBe(503);
    expect((await json(ready)).reasons).toContain('the gateway is stopping');
    const vote = await h.admin(`/v1/approvals/${id}/approve`, { token: dave, method: 'POST', body: {} });
    expect(vote.status).toBe(200);
    expect((await held).status).toBe(201);
    await stopped;
    await expect(fetch(`${h.gateway.addresses.admin}/healthz`)).rejects.toThrow();
    const records = await h.verifyAfterStop();
    expect(records.filter((r) => r.type === 'admin').length).toBeGreaterThan(0);
  });
});

// Real faults need a file system that fills up: a small tmpfs, which needs root to mount (CI runs as
// root). Elsewhere this block is reported as skipped, with the reason.
afterAll(unmountTmpfs);
const probeMount = mountTmpfs(64);
const why = TMPFS_NEEDS;

/** Fills the file system holding `dir` to the last byte; returns the filler to delete. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4096, 512, 1])
      try {
        for (;;) writeSync(fd, Buffer.alloc(size));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
  } finally {
    closeSync(fd);
  }
  return path;
}

describe.skipIf(probeMount === undefined)(`Gateway when the audit store cannot write (${why})`, () => {
  it('answers 503 and forwards nothing while the disk is full, is not ready, and resumes once there is room', async () => {
    const up = await startUpstream();
    const dataDir = mountTmpfs(16 * 1024) as string;
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    const config = configFor(dataDir, up.url);
    const h = await new Harness(await Gateway.start(config, { logger: quiet(), clock }), config).init();
    try {
      const alice = await h.token('alice', ['analyst']);
      const carla = await h.token('carla', ['admins']);
      expect((await h.http('/customers/1', { token: alice })).status).toBe(200);
      const before = up.seen.length;

      const filler = fill(dataDir);
      const refused = await h.http('/customers/1', { token: alice });
      expect(refused.status).toBe(503);
      expect(await json(refused)).toMatchObject({ error: expect.stringContaining('audit') });
      expect(up.seen.length).toBe(before);
      const ready = await h.admin('/readyz');
      expect(ready.status).toBe(503);
      expect((await json(ready)).reasons[0]).toMatch(/audit trail cannot take records .*disk is full/);
      const admin = await h.admin('/v1/policy', { token: carla });
      expect(admin.status).toBe(503);
      expect((await json(admin)).code).toBe('ERR_ADMIN_AUDIT_UNAVAILABLE');
      const metrics = await (await h.admin('/metrics', { token: carla })).text();
      expect(metrics).toMatch(/^regate_audit_up 0$/m);
      expect(metrics).toMatch(
        /^regate_audit_append_failures_total\{code="ERR_AUDIT_STORE_UNAVAILABLE"\} [1-9]/m,
      );

      rmSync(filler);
      // The readiness probe records a recovery check (at most once a second by the gateway's clock).
      offset += 2000;
      const back = await h.admin('/readyz');
      expect(back.status).toBe(200);
      const res = await h.http('/customers/1', { token: alice });
      expect(res.status).toBe(200);
      expect(up.seen.length).toBe(before + 1);

      await h.gateway.stop({ graceMs: 0 });
      // Every other request is in the trail; the refused one cannot be (nothing could be written).
      const refusedId = refused.headers.get('regate-request-id') as string;
      h.ids.splice(h.ids.indexOf(refusedId), 1);
      const records = await h.verifyAfterStop();
      const check = records.find((r) => r.type === 'admin' && r.operation === 'audit.recovery_check');
      expect(check).toMatchObject({ detail: { last_error: expect.stringContaining('disk is full') } });
      // The refused request left no action record: what is stored is what happened.
      expect(records.some((r) => r.type === 'action' && r.action.id === refusedId)).toBe(false);
    } finally {
      await h.gateway.stop({ graceMs: 0 }).catch(() => {});
      up.server.close();
    }
  });
});

describe('Gateway start and stop', () => {
  it('fails a held request with 503 once the grace period is over, and cancels its approval', async () => {
    const up = await startUpstream();
    const config = configFor(join(tempTree(), 'data'), up.url);
    const h = await new Harness(await Gateway.start(config, { logger: quiet() }), config).init();
    const carla = await h.token('carla', ['admins']);
    const held = h.http('/admin/users', { token: carla, method: 'POST', body: '{}' });
    const { id } = await h.pending(carla);
    await h.gateway.stop({ graceMs: 50 });
    const res = await held;
    expect(res.status).toBe(503);
    expect(up.seen).toEqual([]);
    const records = await h.verifyAfterStop();
    const ends = records
      .filter((r) => r.type === 'approval' && r.approval.id === id)
      .map((r) => (r as Json).approval.state);
    expect(ends).toEqual(['requested', 'cancelled']);
    up.server.close();
  });

  it('refuses to start with a postgres target, saying it is not served yet', async () => {
    const config = parseConfig(
      { identity: { dev: true }, policy: { dir: POLICIES }, targets: [{ name: 'db', type: 'postgres' }] },
      { baseDir: tempTree(), env: {} },
    );
    await expect(Gateway.start(config, { logger: quiet() })).rejects.toMatchObject({
      code: 'ERR_GATEWAY_UNSUPPORTED',
      message: expect.stringContaining('db (postgres)'),
    });
  });

  it('refuses to start on a port in use, and closes what it had opened', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const dataDir = join(tempTree(), 'data');
    const config = configFor(dataDir, 'http://127.0.0.1:9', { admin: { port, host: '127.0.0.1' } });
    await expect(Gateway.start(config, { logger: quiet() })).rejects.toMatchObject({
      code: 'ERR_GATEWAY_LISTEN',
      message: expect.stringContaining('the port is in use'),
    });
    // The audit log it had opened was closed: another gateway can open the same store.
    const again = configFor(dataDir, 'http://127.0.0.1:9');
    const g = await Gateway.start(again, { logger: quiet() });
    await g.stop({ graceMs: 0 });
    blocker.close();
  });

  it('serves HTTPS with the certificate and key the config references (file:), checked by curl', async () => {
    const up = await startUpstream();
    const dir = tempTree();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const config = parseConfig(
      {
        data_dir: 'data',
        instance: 'gw-e2e',
        listeners: {
          http: { port: 0, host: '127.0.0.1', tls: { cert: 'file:cert.pem', key: 'file:key.pem' } },
        },
        admin: { port: 0, host: '127.0.0.1' },
        identity: { dev: true },
        policy: { dir: POLICIES },
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
      { baseDir: dir, env: {} },
    );
    const h = await new Harness(await Gateway.start(config, { logger: quiet() }), config).init();
    try {
      expect(h.gateway.addresses.http).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const token = await h.token('alice', ['analyst']);
      // Asynchronously: the gateway answering curl runs in this process.
      const { stdout: out } = await promisify(execFile)('curl', [
        '-sS',
        '--cacert',
        join(dir, 'cert.pem'),
        '-H',
        `Authorization: Bearer ${token}`,
        `${h.gateway.addresses.http}/customers/1`,
      ]);
      expect(JSON.parse(out)).toMatchObject({ id: 1, name: 'Ada' });
    } finally {
      await h.gateway.stop({ graceMs: 0 });
      up.server.close();
    }
  });

  it('refuses to start with a policy that does not compile', async () => {
    const dir = tempTree({
      'p/.manifest': '{"roots":["regate"]}',
      'p/regate/x.rego': 'package regate\nallow if {',
    });
    const config = parseConfig(
      { identity: { dev: true }, policy: { dir: join(dir, 'p') } },
      { baseDir: dir, env: {} },
    );
    await expect(Gateway.start(config, { logger: quiet() })).rejects.toMatchObject({
      code: 'ERR_GATEWAY_POLICY',
    });
  });
});
