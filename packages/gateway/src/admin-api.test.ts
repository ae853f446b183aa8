import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import type { Action, Identity } from '@regate/action';
import { ApprovalService, approvalStoreFor } from '@regate/approvals';
import { AuditLog, generateSigningKey, recordOf, SqliteStore } from '@regate/audit';
import { loadPolicy, PolicyEngine } from '@regate/engine';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdminApiDeps, createAdminHandler } from './admin-api.js';
import { AuditRecorder } from './audit-recorder.js';
import { createLogger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { removeTempTrees, tempTree } from './test-support.js';

afterAll(removeTempTrees);

// The admin API's JSON bodies, read loosely: each test asserts the fields it cares about.
// biome-ignore lint/suspicious/noExplicitAny: a test's view of JSON it checks field by field
type Json = any;
const json = (r: Response): Promise<Json> => r.json();

const POLICIES = new URL('../../../policies', import.meta.url).pathname;

// The admin API takes its token verifier as a dependency; these tests give it a fixed map of tokens (the
// real verifiers are exercised end to end in gateway.test.ts).
const PEOPLE: Record<string, Identity> = {
  alice: { subject: 'alice', groups: ['admins'], type: 'user' },
  bob: { subject: 'bob', groups: ['admins'], type: 'user' },
  carol: { subject: 'carol', groups: ['analyst'], type: 'user' },
  agent: { subject: 'bot', groups: ['admins'], type: 'agent' },
};

async function authenticate(token: string): Promise<Identity> {
  const who = PEOPLE[token];
  if (!who) throw Object.assign(new Error('the token is not valid'), { code: 'ERR_TOKEN_SIGNATURE' });
  return who;
}

interface Setup {
  url: string;
  server: Server;
  log: AuditLog;
  store: SqliteStore;
  approvals: ApprovalService;
  engine: PolicyEngine;
  deps: AdminApiDeps;
}

let t: Setup;
const now = Date.parse('2026-11-23T10:00:00Z');
const clock = () => new Date(now);

// Compiled once: the starter policy takes a while to compile, and decisions do not change it.
const starter = (async () => {
  const engine = new PolicyEngine();
  engine.activate(await loadPolicy(POLICIES));
  return engine;
})();

async function setUp(overrides: Partial<AdminApiDeps> = {}): Promise<Setup> {
  const engine = await starter;
  // Inline commits: these tests are about the API, and a writer thread per test costs its start-up.
  const store = new SqliteStore({ path: join(tempTree(), 'audit.db'), writer: 'inline' });
  const log = await AuditLog.open({
    store,
    key: generateSigningKey(),
    instance: 'gw-test',
    clock,
    checkpointIntervalMs: 0,
  });
  const metrics = new GatewayMetrics();
  const logger = createLogger({ level: 'error', write: () => {} });
  const recorder = new AuditRecorder({ log, metrics, logger, clock, now: () => performance.now() });
  const approvals = await ApprovalService.start({
    store: approvalStoreFor(store),
    audit: recorder,
    clock,
    sweepIntervalMs: 0,
    pollMs: 0,
  });
  const deps: AdminApiDeps = {
    engine,
    authenticate,
    recorder,
    approvals,
    store,
    metrics,
    logger,
    metricsPublic: false,
    maxBodyBytes: 1024,
    activatedAt: () => '2026-11-23T09:00:00.000Z',
    phase: () => 'running',
    ...overrides,
  };
  const server = createServer(createAdminHandler(deps));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, log, store, approvals, engine, deps };
}

async function tearDown(s: Setup): Promise<void> {
  await new Promise<void>((r) => s.server.close(() => r()));
  await s.approvals.close().catch(() => {});
  await s.log.close().catch(() => {});
}

function call(path: string, init: { token?: string; method?: string; body?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${t.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
}

async function adminRecords() {
  const page = await t.store.search({ type: 'admin', order: 'asc', limit: 1000 });
  return page.records.map(recordOf) as (ReturnType<typeof recordOf> & {
    operation: string;
    detail: Record<string, unknown>;
  })[];
}

/** An action the starter policy holds for approval: an admin's write to an /admin route. */
function adminWrite(subject = 'alice'): Action {
  return {
    id: `act-${subject}`,
    time: clock().toISOString(),
    kind: 'http.request',
    protocol: 'http',
    identity: PEOPLE[subject] as Identity,
    session: { id: 'ses-1' },
    target: { name: 'example-api', type: 'http', labels: { env: 'dev' } },
    http: { method: 'POST', path: '/admin/users', query: {}, headers: {} },
  };
}

async function openApproval(subject = 'alice'): Promise<string> {
  const action = adminWrite(subject);
  const decision = t.engine.decide(action);
  expect(decision.effect).toBe('require_approval');
  const request = await t.approvals.open({ action, decision, requester: action.identity });
  return request.id;
}

beforeEach(async () => {
  t = await setUp();
});
afterEach(async () => {
  await tearDown(t);
});

describe('admin API probes', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect((await call('/healthz')).status).toBe(200);
    const ready = await call('/readyz');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({ status: 'ready', policy: { revision: expect.any(String) } });
  });

  it('is not ready when no policy is active, or while stopping', async () => {
    await tearDown(t);
    t = await setUp({ engine: new PolicyEngine(), phase: () => 'stopping' });
    const ready = await call('/readyz');
    expect(ready.status).toBe(503);
    expect((await json(ready)).reasons).toEqual(['the gateway is stopping', 'no policy revision is active']);
  });

  it('answers 400 to bytes that are not HTTP, and stays up', async () => {
    const { port } = t.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('HELLO GATEWAY\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8').on('data', (d: string) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await call('/healthz')).status).toBe(200);
  });

  it('answers 404 JSON for a path outside /v1', async () => {
    const r = await call('/nope');
    expect(r.status).toBe(404);
    expect(await json(r)).toMatchObject({ code: 'ERR_ADMIN_NOT_FOUND' });
  });
});

describe('admin API authentication and authorization', () => {
  it('answers 401 with WWW-Authenticate when the token is missing, and records the refusal', async () => {
    const r = await call('/v1/policy');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await json(r)).toMatchObject({ code: 'ERR_ADMIN_UNAUTHENTICATED' });
    const [rec] = await adminRecords();
    expect(rec).toMatchObject({
      operation: 'policy.read',
      identity: { subject: 'anonymous' },
      detail: { method: 'GET', path: '/v1/policy', status: 401, allowed: false },
    });
  });

  it('answers 401 for a token the verifier refuses, naming its code', async () => {
    const r = await call('/v1/policy', { token: 'mallory' });
    expect(r.status).toBe(401);
    expect((await json(r)).error).toContain('ERR_TOKEN_SIGNATURE');
  });

  it('answers 401 for an Authorization header that is not a bearer token', async () => {
    const r = await fetch(`${t.url}/v1/policy`, { headers: { authorization: 'Basic YWxpY2U6cHc=' } });
    expect(r.status).toBe(401);
  });

  it("answers 403 with the policy's reason for a caller the admin rules do not grant", async () => {
    for (const who of ['carol', 'agent']) {
      const r = await call('/v1/policy', { token: who });
      expect(r.status).toBe(403);
      expect(await json(r)).toMatchObject({
        code: 'ERR_ADMIN_FORBIDDEN',
        error: expect.stringContaining('may not policy.read'),
      });
    }
    const recs = await adminRecords();
    expect(recs.map((r) => [r.identity?.subject, r.detail.status, r.detail.allowed])).toEqual([
      ['carol', 403, false],
      ['bot', 403, false],
    ]);
  });

  it('serves the policy to an admin and records the call', async () => {
    const r = await call('/v1/policy', { token: 'alice' });
    expect(r.status).toBe(200);
    const body = await json(r);
    expect(body).toMatchObject({
      revision: t.engine.revision,
      entrypoint: 'regate',
      activated_at: '2026-11-23T09:00:00.000Z',
      metrics: { decisions: expect.any(Object) },
    });
    expect((await adminRecords())[0]).toMatchObject({
      operation: 'policy.read',
      identity: { subject: 'alice' },
      detail: { status: 200, allowed: true },
    });
  });

  it('answers 404 for an unknown /v1 route and 405 for a known one with the wrong method', async () => {
    expect((await call('/v1/nothing', { token: 'alice' })).status).toBe(404);
    const r = await call('/v1/policy', { token: 'alice', method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(await json(r)).toMatchObject({ code: 'ERR_ADMIN_METHOD' });
    expect((await adminRecords()).map((x) => x.detail.status)).toEqual([404, 405]);
  });
});

describe('admin API approvals', () => {
  it('lists requests for an approver and filters by state and mine', async () => {
    const id = await openApproval('alice');
    const all = await json(await call('/v1/approvals', { token: 'bob' }));
    expect(all.approvals.map((a: { id: string }) => a.id)).toEqual([id]);
    const mine = await json(await call('/v1/approvals?mine=true&state=pending', { token: 'alice' }));
    expect(mine.approvals).toEqual([]); // alice opened it: not hers to vote on
    const denied = await json(await call('/v1/approvals?state=denied', { token: 'bob' }));
    expect(denied.approvals).toEqual([]);
    const one = await call(`/v1/approvals/${id}`, { token: 'bob' });
    expect(await json(one)).toMatchObject({ id, state: 'pending', requester: { subject: 'alice' } });
  });

  it('refuses a requester approving their own request (four-eyes), then takes another admin’s vote', async () => {
    const id = await openApproval('alice');
    const own = await call(`/v1/approvals/${id}/approve`, { token: 'alice', method: 'POST', body: '{}' });
    expect(own.status).toBe(409);
    expect(await json(own)).toMatchObject({ code: 'ERR_APPROVAL_SELF_APPROVAL' });
    const ok = await call(`/v1/approvals/${id}/approve`, {
      token: 'bob',
      method: 'POST',
      body: '{"reason":"ticket 42"}',
    });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ id, state: 'approved', decided_by: 'bob' });
    const again = await call(`/v1/approvals/${id}/deny`, {
      token: 'bob',
      method: 'POST',
      body: '{"reason":"no"}',
    });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ code: 'ERR_APPROVAL_NOT_PENDING' });
    const votes = (await adminRecords()).filter((r) => r.operation === 'approvals.vote');
    expect(votes.map((r) => [r.identity?.subject, r.detail.status, r.detail.approval])).toEqual([
      ['alice', 409, undefined],
      ['bob', 200, id],
      ['bob', 409, undefined],
    ]);
  });

  it('denies with a reason, and refuses a deny without one', async () => {
    const id = await openApproval('alice');
    const bare = await call(`/v1/approvals/${id}/deny`, { token: 'bob', method: 'POST' });
    expect(bare.status).toBe(400);
    expect(await json(bare)).toMatchObject({ code: 'ERR_APPROVAL_INVALID_VOTE' });
    const r = await call(`/v1/approvals/${id}/deny`, {
      token: 'bob',
      method: 'POST',
      body: '{"reason":"freeze"}',
    });
    expect(await json(r)).toMatchObject({ state: 'denied', decision_reason: 'freeze' });
  });

  it('refuses a caller without approvals.vote before the approval service sees the vote', async () => {
    const id = await openApproval('alice');
    const r = await call(`/v1/approvals/${id}/approve`, { token: 'carol', method: 'POST', body: '{}' });
    expect(r.status).toBe(403);
    expect((await t.approvals.get(id))?.votes).toEqual([]);
  });

  it.each([
    ['not JSON', '{reason:', /not JSON/],
    ['a JSON list', '[1]', /must be a JSON object/],
    ['an unknown field', '{"reasn":"x"}', /unknown field "reasn"/],
    ['a reason that is not text', '{"reason":5}', /reason must be a string/],
  ])('answers 400 for a vote body that is %s', async (_what, body, message) => {
    const id = await openApproval('alice');
    const r = await call(`/v1/approvals/${id}/approve`, { token: 'bob', method: 'POST', body });
    expect(r.status).toBe(400);
    expect((await json(r)).error).toMatch(message);
  });

  it('answers 413 for a body over the admin limit', async () => {
    const id = await openApproval('alice');
    const r = await call(`/v1/approvals/${id}/approve`, {
      token: 'bob',
      method: 'POST',
      body: JSON.stringify({ reason: 'x'.repeat(5000) }),
    });
    expect(r.status).toBe(413);
    expect(await json(r)).toMatchObject({ code: 'ERR_ADMIN_BODY_TOO_LARGE' });
  });

  it('answers 413 for a chunked body that grows past the limit', async () => {
    const id = await openApproval('alice');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${t.url}/v1/approvals/${id}/approve`, {
        method: 'POST',
        headers: { authorization: 'Bearer bob', 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(`{"reason":"${'x'.repeat(800)}`);
      req.end(`${'y'.repeat(800)}"}`);
    });
    expect(status).toBe(413);
  });

  it('answers 404 for an unknown id and 400 for one that cannot be an id', async () => {
    expect((await call('/v1/approvals/apr_nope', { token: 'bob' })).status).toBe(404);
    const r = await call('/v1/approvals/a%20b', { token: 'bob' });
    expect(r.status).toBe(400);
  });

  it('answers 400 for a bad state, limit, mine or an unknown parameter', async () => {
    for (const q of ['state=open', 'limit=0', 'limit=x', 'mine=yes', 'stat=pending']) {
      const r = await call(`/v1/approvals?${q}`, { token: 'bob' });
      expect(r.status, q).toBe(400);
      expect((await json(r)).code).toBe('ERR_ADMIN_BAD_REQUEST');
    }
  });
});

describe('admin API audit', () => {
  beforeEach(async () => {
    const action = adminWrite('alice');
    action.http = { method: 'GET', path: '/customers/1', query: {}, headers: {} };
    await t.log.append({
      type: 'session.start',
      session: 'ses-1',
      identity: action.identity,
      target: 'example-api',
      protocol: 'http',
    });
    await t.log.append({ type: 'action', action, decision: t.engine.decide(action), outcome: 'forwarded' });
  });

  it('searches records by identity, target, kind and effect', async () => {
    const r = await call(
      '/v1/audit/records?identity=alice&target=example-api&kind=http.request&effect=allow',
      { token: 'alice' },
    );
    expect(r.status).toBe(200);
    const body = await json(r);
    expect(body.records).toHaveLength(1);
    expect(body.records[0]).toMatchObject({
      type: 'action',
      action: { http: { path: '/customers/1' } },
      hash: expect.any(String),
    });
    const none = await json(await call('/v1/audit/records?identity=bob', { token: 'alice' }));
    expect(none.records).toEqual([]);
  });

  it('pages with limit and cursor', async () => {
    const first = await json(await call('/v1/audit/records?session=ses-1&limit=1', { token: 'alice' }));
    expect(first.records).toHaveLength(1);
    expect(first.next).toEqual(expect.any(String));
    const second = await json(
      await call(`/v1/audit/records?session=ses-1&limit=1&cursor=${first.next}`, { token: 'alice' }),
    );
    expect(second.records).toHaveLength(1);
    expect(second.records[0].seq).not.toBe(first.records[0].seq);
  });

  it.each([
    ['effect=maybe', /effect must be one of/],
    ['outcome=gone', /outcome must be one of/],
    ['type=event', /type must be one of/],
    ['since=yesterday', /since must be an RFC 3339 time/],
    ['limit=5000', /limit must be a whole number/],
    ['cursor=garbage', /cursor/],
    ['who=alice', /unknown query parameter "who"/],
    ['order=up', /order must be asc or desc/],
  ])('answers 400 for %s', async (query, message) => {
    const r = await call(`/v1/audit/records?${query}`, { token: 'alice' });
    expect(r.status).toBe(400);
    expect((await json(r)).error).toMatch(message);
  });

  it('exports a session as JSON Lines and as a transcript, and 404s an unknown one', async () => {
    const jsonl = await call('/v1/audit/sessions/ses-1', { token: 'alice' });
    expect(jsonl.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await jsonl.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['session.start', 'action']);
    const text = await (await call('/v1/audit/sessions/ses-1?format=transcript', { token: 'alice' })).text();
    expect(text).toContain('/customers/1');
    const cast = await call('/v1/audit/sessions/ses-1?format=asciicast', { token: 'alice' });
    expect(cast.status).toBe(404); // an HTTP session has no terminal recording
    expect((await call('/v1/audit/sessions/ses-9', { token: 'alice' })).status).toBe(404);
    expect((await call('/v1/audit/sessions/ses-1?format=pdf', { token: 'alice' })).status).toBe(400);
  });
});

describe('admin API metrics', () => {
  it('needs metrics.read unless metrics are public', async () => {
    expect((await call('/metrics')).status).toBe(401);
    expect((await call('/metrics', { token: 'carol' })).status).toBe(403);
    const r = await call('/metrics', { token: 'alice' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await r.text()).toContain('regate_admin_requests_total{status="401"} 1');
    // Scrapes are not written to the audit trail.
    expect(await adminRecords()).toEqual([]);
    await tearDown(t);
    t = await setUp({ metricsPublic: true });
    expect((await call('/metrics')).status).toBe(200);
  });
});

describe('admin API when the audit trail fails', () => {
  it('refuses every /v1 call with 503, refusals included, and is not ready', async () => {
    // A closed log refuses every append (ERR_AUDIT_CLOSED), as a failed store would.
    const open = t.log;
    await open.close({ closeStore: false });
    const r = await call('/v1/policy', { token: 'alice' });
    expect(r.status).toBe(503);
    expect(await json(r)).toMatchObject({
      code: 'ERR_ADMIN_AUDIT_UNAVAILABLE',
      error: expect.stringContaining('ERR_AUDIT_CLOSED'),
    });
    // Refusals too: nothing leaves unrecorded.
    expect((await call('/v1/policy')).status).toBe(503);
    const ready = await call('/readyz');
    expect(ready.status).toBe(503);
    expect((await json(ready)).reasons[0]).toMatch(
      /the audit trail cannot take records since .*ERR_AUDIT_CLOSED/,
    );
  });
});
