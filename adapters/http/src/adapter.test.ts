import { afterEach, describe, expect, it } from 'vitest';
import type { HttpRoute } from './options.js';
import {
  ALICE,
  bearer,
  curl,
  oneConnection,
  rawExchange,
  request,
  route,
  startGateway,
  startUpstream,
  type TestContext,
  type TestGateway,
  type TestUpstream,
  testContext,
} from './test-support.js';

let upstream: TestUpstream;
let gw: TestGateway;
let ctx: TestContext;

async function setup(
  routes?: (upstreamUrl: string) => HttpRoute[],
  trustForwardedFor = false,
): Promise<void> {
  ctx = testContext();
  upstream = await startUpstream();
  gw = await startGateway(ctx, {
    routes: routes?.(upstream.url) ?? [route(upstream.url)],
    trustForwardedFor,
  });
}

afterEach(async () => {
  await gw?.close();
  await upstream?.close();
});

const httpRequests = () => ctx.actionEvents().filter((e) => e.action.kind === 'http.request');

describe('createHttpAdapter: allow, block, 401', () => {
  it('forwards an allowed request when the token is valid, recording it before forwarding', async () => {
    await setup();
    const res = await fetch(`${gw.url}/orders?id=7&id=8`, { headers: bearer('alice-token') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'GET', url: '/orders?id=7&id=8', bytes: 0 });
    const [event] = httpRequests();
    expect(event?.outcome).toBe('forwarded');
    expect(event?.action.identity).toEqual(ALICE);
    expect(event?.action.target).toEqual({ name: 'orders-api', type: 'http', labels: { env: 'test' } });
    expect(event?.action.http).toMatchObject({ method: 'GET', path: '/orders', query: { id: ['7', '8'] } });
    expect(res.headers.get('regate-request-id')).toBe(event?.action.id);
  });

  it('forwards an allowed request when the client is curl', async () => {
    await setup();
    const res = await curl(['-H', 'Authorization: Bearer alice-token', `${gw.url}/orders/1`]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ method: 'GET', url: '/orders/1', bytes: 0 });
    expect(upstream.seen).toHaveLength(1);
  });

  it('answers 403 with the reasons and never calls the upstream when the policy blocks (fetch and curl)', async () => {
    await setup();
    const res = await fetch(`${gw.url}/blocked/x`, { headers: bearer('alice-token') });
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body).toEqual({
      error: 'blocked by policy',
      code: 'ERR_HTTP_BLOCKED',
      reasons: ['no access to /blocked'],
      request_id: res.headers.get('regate-request-id'),
    });
    const viaCurl = await curl(['-H', 'Authorization: Bearer alice-token', `${gw.url}/blocked/y`]);
    expect(viaCurl.status).toBe(403);
    expect(JSON.parse(viaCurl.body).code).toBe('ERR_HTTP_BLOCKED');
    expect(upstream.seen).toHaveLength(0);
    expect(httpRequests().map((e) => [e.outcome, e.decision.effect])).toEqual([
      ['blocked', 'block'],
      ['blocked', 'block'],
    ]);
  });

  it('answers 401 and records an anonymous refusal when the token is missing (fetch and curl)', async () => {
    await setup();
    const res = await fetch(`${gw.url}/orders`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="regate"');
    const body = await res.json();
    expect(body).toMatchObject({ code: 'ERR_TOKEN_MISSING', request_id: expect.any(String) });
    const viaCurl = await curl([`${gw.url}/orders`]);
    expect(viaCurl.status).toBe(401);
    expect(JSON.parse(viaCurl.body).code).toBe('ERR_TOKEN_MISSING');
    const basic = await fetch(`${gw.url}/orders`, { headers: { authorization: 'Basic YWxpY2U6cHc=' } });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { error: string }).error).toMatch(/not a Bearer token/);
    expect(upstream.seen).toHaveLength(0);
    const events = httpRequests();
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect(e.action.identity.subject).toBe('anonymous');
      expect(e.outcome).toBe('blocked');
      expect(e.decision.effect).toBe('block');
      expect(e.decision.reasons[0]).toMatch(/^ERR_TOKEN_MISSING: /);
    }
    // The policy is never asked about an unauthenticated request.
    expect(ctx.decided).toHaveLength(0);
  });

  it('answers 401 with the identity provider’s code when the token is refused (fetch and curl)', async () => {
    await setup();
    const res = await fetch(`${gw.url}/orders`, { headers: bearer('forged') });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="regate", error="invalid_token"');
    expect(await res.json()).toMatchObject({ code: 'ERR_TOKEN_SIGNATURE', error: 'the token is not valid' });
    const viaCurl = await curl(['-H', 'Authorization: Bearer forged', `${gw.url}/orders`]);
    expect(viaCurl.status).toBe(401);
    expect(viaCurl.headers).toMatch(/www-authenticate: Bearer realm="regate", error="invalid_token"/i);
    expect(upstream.seen).toHaveLength(0);
    expect(httpRequests().map((e) => e.error)).toEqual([
      'ERR_TOKEN_SIGNATURE: the token is not valid',
      'ERR_TOKEN_SIGNATURE: the token is not valid',
    ]);
  });

  it('answers 404 without forwarding or recording when no route matches', async () => {
    await setup((u) => [route(u, { match: { pathPrefix: '/api' } })]);
    const res = await fetch(`${gw.url}/other`, { headers: bearer('alice-token') });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('ERR_HTTP_NO_ROUTE');
    expect(upstream.seen).toHaveLength(0);
    expect(ctx.events).toHaveLength(0);
    expect(ctx.logs.some((l) => l.message === 'http no route')).toBe(true);
  });
});

describe('createHttpAdapter: what reaches the upstream', () => {
  it('strips Authorization and Proxy-Authorization, keeps cookies, and injects the route’s headers', async () => {
    await setup();
    const res = await fetch(`${gw.url}/orders`, {
      headers: {
        ...bearer('alice-token'),
        'proxy-authorization': 'Basic eDp5',
        cookie: 'session=abc',
        'x-upstream-key': 'client-tries-its-own',
        'x-trace': 't-1',
      },
    });
    expect(res.status).toBe(200);
    const seen = upstream.seen[0]!.headers;
    expect(seen.authorization).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen.cookie).toBe('session=abc');
    expect(seen['x-upstream-key']).toBe('upstream-secret');
    expect(seen['x-trace']).toBe('t-1');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.host).toBe(`127.0.0.1:${upstream.port}`);
    // The policy saw neither the token nor the cookie.
    const headers = httpRequests()[0]!.action.http!.headers!;
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers['x-trace']).toBe('t-1');
  });

  it('forwards the exact raw path that was decided when it has repeated slashes, escapes and a URL in it', async () => {
    await setup();
    const path = '/a//b/%2e%2e/c/http://x/?q=%20&q=2';
    const res = await request(`${gw.url}${path}`, { headers: bearer('alice-token') });
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.url).toBe(path);
    expect(httpRequests()[0]!.action.http!.path).toBe('/a//b/%2e%2e/c/http://x/');
  });

  it('strips the route prefix and adds the upstream base path when the route says so', async () => {
    await setup((u) => [
      route(`${u}/v2`, { match: { pathPrefix: '/api' }, stripPrefix: true }),
      route(u, { match: { pathPrefix: '/api/legacy' }, target: { name: 'legacy', type: 'http' } }),
    ]);
    await fetch(`${gw.url}/api/orders?x=1`, { headers: bearer('alice-token') });
    await fetch(`${gw.url}/api`, { headers: bearer('alice-token') });
    await fetch(`${gw.url}/api/legacy/list`, { headers: bearer('alice-token') });
    expect(upstream.seen.map((s) => s.url)).toEqual(['/v2/orders?x=1', '/v2/', '/api/legacy/list']);
    expect(httpRequests().map((e) => e.action.target.name)).toEqual(['orders-api', 'orders-api', 'legacy']);
  });

  it('routes by host, case-insensitively and without port, when routes match on host', async () => {
    await setup((u) => [
      route(u, { match: { host: 'orders.example' }, target: { name: 'orders', type: 'http' } }),
      route(u, { match: { host: 'billing.example' }, target: { name: 'billing', type: 'http' } }),
    ]);
    const a = await request(`${gw.url}/x`, {
      headers: { ...bearer('alice-token'), host: 'Billing.Example:8443' },
    });
    const b = await request(`${gw.url}/x`, {
      headers: { ...bearer('alice-token'), host: 'nowhere.example' },
    });
    expect([a.status, b.status]).toEqual([200, 404]);
    expect(httpRequests().map((e) => e.action.target.name)).toEqual(['billing']);
  });

  it('puts a small JSON body into the Action and still forwards it byte for byte', async () => {
    await setup();
    const body = '{"order": {"id": 7, "items": [1, 2]}}';
    const res = await fetch(`${gw.url}/orders`, {
      method: 'POST',
      headers: { ...bearer('alice-token'), 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.body.toString()).toBe(body);
    expect(httpRequests()[0]!.action.http!.body).toEqual({ order: { id: 7, items: [1, 2] } });
  });

  it('decides without a body when the JSON body is invalid, and forwards it unchanged', async () => {
    await setup();
    const res = await fetch(`${gw.url}/orders`, {
      method: 'POST',
      headers: { ...bearer('alice-token'), 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.body.toString()).toBe('{"broken": ');
    expect(httpRequests()[0]!.action.http!.body).toBeUndefined();
  });

  it('streams a non-JSON body after the decision without putting it in the Action', async () => {
    await setup();
    const body = Buffer.alloc(200_000, 'a');
    const res = await fetch(`${gw.url}/upload`, {
      method: 'PUT',
      headers: { ...bearer('alice-token'), 'content-type': 'application/octet-stream' },
      body,
    });
    expect(await res.json()).toMatchObject({ bytes: 200_000 });
    expect(httpRequests()[0]!.action.http!.body).toBeUndefined();
  });

  it('takes the client address from the last X-Forwarded-For entry only when told to trust it', async () => {
    await setup(undefined, true);
    await fetch(`${gw.url}/x`, {
      headers: { ...bearer('alice-token'), 'x-forwarded-for': '1.1.1.1, 10.0.0.7' },
    });
    const start = ctx.events.find((e) => e.type === 'session.start');
    expect(start).toMatchObject({ client: { address: '10.0.0.7' } });
    expect(upstream.seen[0]!.headers['x-forwarded-for']).toBe('1.1.1.1, 10.0.0.7, 127.0.0.1');
  });

  it('ignores a client’s X-Forwarded-For when not told to trust it', async () => {
    await setup();
    await fetch(`${gw.url}/x`, { headers: { ...bearer('alice-token'), 'x-forwarded-for': '1.1.1.1' } });
    expect(ctx.events.find((e) => e.type === 'session.start')).toMatchObject({
      client: { address: '127.0.0.1' },
    });
    expect(upstream.seen[0]!.headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});

describe('createHttpAdapter: audit trail', () => {
  it('answers 503 and never calls the upstream when the audit trail cannot record', async () => {
    await setup();
    ctx.failRecords = true;
    const res = await fetch(`${gw.url}/orders`, { headers: bearer('alice-token') });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: expect.stringMatching(/^audit trail unavailable/),
      code: 'ERR_HTTP_AUDIT_UNAVAILABLE',
    });
    const viaCurl = await curl(['-H', 'Authorization: Bearer alice-token', `${gw.url}/orders`]);
    expect(viaCurl.status).toBe(503);
    expect(upstream.seen).toHaveLength(0);
    // Once the trail is back, the next request opens its session and goes through.
    ctx.failRecords = false;
    expect((await fetch(`${gw.url}/orders`, { headers: bearer('alice-token') })).status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
  });

  it('answers 503 for a refusal it cannot record', async () => {
    await setup();
    ctx.failRecords = true;
    expect((await fetch(`${gw.url}/orders`)).status).toBe(503);
  });
});

describe('createHttpAdapter: sessions', () => {
  it('decides session.open once per connection and subject, and records session.end when the connection closes', async () => {
    await setup();
    const agent = oneConnection();
    for (let i = 0; i < 3; i++) {
      expect((await request(`${gw.url}/a${i}`, { headers: bearer('alice-token'), agent })).status).toBe(200);
    }
    expect((await request(`${gw.url}/b`, { headers: bearer('bob-token'), agent })).status).toBe(200);
    const opens = ctx.decided.filter((a) => a.kind === 'session.open');
    expect(opens.map((a) => a.identity.subject)).toEqual(['alice', 'bob']);
    expect(opens[0]).toMatchObject({ protocol: 'http', target: { name: 'orders-api' } });
    const starts = ctx.events.filter((e) => e.type === 'session.start');
    expect(starts).toHaveLength(2);
    const sessionIds = new Set(httpRequests().map((e) => e.action.session.id));
    expect(sessionIds.size).toBe(2);
    expect(gw.adapter.stats().activeSessions).toBe(2);

    agent.destroy();
    const ends = await Promise.all(
      starts.map((s) =>
        ctx.waitForEvent((e) => e.type === 'session.end' && e.session === (s as { session: string }).session),
      ),
    );
    expect(ends.map((e) => (e as { identity?: { subject: string } }).identity?.subject).sort()).toEqual([
      'alice',
      'bob',
    ]);
    // A new connection is a new session.
    await request(`${gw.url}/c`, { headers: bearer('alice-token') });
    expect(ctx.decided.filter((a) => a.kind === 'session.open')).toHaveLength(3);
  });

  it('answers 403 when session.open is blocked, and decides it again on the next request', async () => {
    await setup();
    const agent = oneConnection();
    const first = await request(`${gw.url}/x`, { headers: bearer('mallory-token'), agent });
    const second = await request(`${gw.url}/x`, { headers: bearer('mallory-token'), agent });
    agent.destroy();
    expect([first.status, second.status]).toEqual([403, 403]);
    expect(JSON.parse(first.body)).toMatchObject({
      code: 'ERR_HTTP_SESSION_BLOCKED',
      reasons: ['mallory may not connect'],
    });
    expect(ctx.decided.map((a) => a.kind)).toEqual(['session.open', 'session.open']);
    const refused = ctx.actionEvents();
    expect(refused.map((e) => [e.action.kind, e.outcome])).toEqual([
      ['session.open', 'blocked'],
      ['session.open', 'blocked'],
    ]);
    expect(JSON.parse(first.body).request_id).toBe(refused[0]!.action.id);
    expect(ctx.events.some((e) => e.type === 'session.start')).toBe(false);
    expect(upstream.seen).toHaveLength(0);
  });

  it('decides session.open once when pipelined requests of one connection race', async () => {
    await setup();
    // Node hands both pipelined requests to the adapter before the first is answered.
    const one = 'GET /1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer alice-token\r\n\r\n';
    const two =
      'GET /2 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer alice-token\r\nConnection: close\r\n\r\n';
    const raw = await rawExchange(gw.port, one + two);
    expect(raw.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    expect(ctx.decided.filter((a) => a.kind === 'session.open')).toHaveLength(1);
    expect(ctx.events.filter((e) => e.type === 'session.start')).toHaveLength(1);
    expect(new Set(httpRequests().map((e) => e.action.session.id)).size).toBe(1);
  });
});
