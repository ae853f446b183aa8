import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpAdapterLimits } from './options.js';
import {
  bearer,
  curl,
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
  limits: HttpAdapterLimits = {},
  handler?: Parameters<typeof startUpstream>[0],
): Promise<void> {
  ctx = testContext();
  upstream = await startUpstream(handler);
  gw = await startGateway(ctx, { routes: [route(upstream.url)], limits });
}

afterEach(async () => {
  await gw?.close();
  await upstream?.close();
});

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));

describe('createHttpAdapter: bad input', () => {
  it('answers 431 when the headers are larger than maxHeaderBytes (raw and curl)', async () => {
    await setup({ maxHeaderBytes: 2048 });
    const raw = await rawExchange(
      gw.port,
      `GET /x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer alice-token\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`,
    );
    expect(statusOf(raw)).toBe(431);
    expect(bodyOf(raw).code).toBe('ERR_HTTP_HEADERS_TOO_LARGE');
    const viaCurl = await curl(['-H', `X-Big: ${'b'.repeat(4096)}`, `${gw.url}/x`]);
    expect(viaCurl.status).toBe(431);
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 400 and closes when the request is not valid HTTP, and logs it', async () => {
    await setup();
    for (const garbage of [
      'GARBAGE\r\n\r\n',
      'GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'GET /x HTTP/1.1\r\nBad Header\r\n\r\n',
    ]) {
      const raw = await rawExchange(gw.port, garbage);
      expect(statusOf(raw), garbage).toBe(400);
      expect(bodyOf(raw).code).toBe('ERR_HTTP_BAD_REQUEST');
    }
    expect(ctx.logs.filter((l) => l.message === 'http client error')).toHaveLength(3);
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 400 when the request target is not a path', async () => {
    await setup();
    const raw = await rawExchange(gw.port, 'GET x/y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(statusOf(raw)).toBe(400);
    expect(bodyOf(raw).code).toBe('ERR_HTTP_BAD_REQUEST');
  });

  it('cuts a slowloris client off with 408 when the headers do not arrive within headersTimeoutMs', async () => {
    await setup({ headersTimeoutMs: 200, requestTimeoutMs: 1000 });
    // The headers never end: the server must close on its own.
    const raw = await rawExchange(gw.port, 'GET /x HTTP/1.1\r\nHost: a\r\nX-Slow: 1\r\n');
    expect(statusOf(raw)).toBe(408);
    expect(bodyOf(raw).code).toBe('ERR_HTTP_REQUEST_TIMEOUT');
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 413 without reading the body when Content-Length is over maxBodyBytes, and records it', async () => {
    await setup({ maxBodyBytes: 1000, maxActionBodyBytes: 500 });
    // Expect: 100-continue: the client is never told to send the body.
    const raw = await rawExchange(
      gw.port,
      'POST /x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer alice-token\r\nContent-Type: application/json\r\n' +
        'Content-Length: 50000000\r\nExpect: 100-continue\r\n\r\n',
    );
    expect(raw).not.toContain('100 Continue');
    expect(statusOf(raw)).toBe(413);
    expect(bodyOf(raw).code).toBe('ERR_HTTP_BODY_TOO_LARGE');
    const viaCurl = await curl([
      '-H',
      'Authorization: Bearer alice-token',
      '--data-binary',
      'x'.repeat(2000),
      `${gw.url}/x`,
    ]);
    expect(viaCurl.status).toBe(413);
    expect(upstream.seen).toHaveLength(0);
    const events = ctx.actionEvents();
    expect(events.map((e) => [e.outcome, e.decision.reasons[0]?.split(':')[0]])).toEqual([
      ['blocked', 'ERR_HTTP_BODY_TOO_LARGE'],
      ['blocked', 'ERR_HTTP_BODY_TOO_LARGE'],
    ]);
  });

  it('answers 413 and aborts the upstream request when a chunked body grows past maxBodyBytes', async () => {
    await setup({ maxBodyBytes: 10_000, maxActionBodyBytes: 1000 });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${gw.url}/upload`, {
        method: 'PUT',
        headers: { ...bearer('alice-token'), 'content-type': 'application/octet-stream' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      // Chunked, no Content-Length: the limit is only found out while streaming.
      const chunk = Buffer.alloc(4096, 'z');
      let sent = 0;
      const pump = (): void => {
        while (sent < 20) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).code).toBe('ERR_HTTP_BODY_TOO_LARGE');
    // The upstream request was cut before its last chunk: the upstream never saw a complete request.
    expect(upstream.seen).toHaveLength(0);
    const late = await ctx.waitForEvent((e) => e.type === 'action' && e.outcome === 'blocked');
    expect(late).toMatchObject({
      error: expect.stringMatching(/^ERR_HTTP_BODY_TOO_LARGE: .*upstream request was aborted/),
    });
    expect(ctx.actionEvents().map((e) => e.outcome)).toEqual(['forwarded', 'blocked']);
  });

  it('forwards a JSON body larger than maxActionBodyBytes whole, without putting it in the Action', async () => {
    await setup({ maxBodyBytes: 100_000, maxActionBodyBytes: 100 });
    const body = JSON.stringify({ items: Array.from({ length: 500 }, (_, i) => i) });
    const res = await request(`${gw.url}/orders`, {
      method: 'POST',
      headers: {
        ...bearer('alice-token'),
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.body.toString()).toBe(body);
    expect(ctx.actionEvents()[0]!.action.http!.body).toBeUndefined();
  });
});

describe('createHttpAdapter: upstream failures', () => {
  it('answers 504 when the upstream does not answer within upstreamTimeoutMs, after recording the forward', async () => {
    await setup({ upstreamTimeoutMs: 100 }, () => {});
    const res = await request(`${gw.url}/slow`, { headers: bearer('alice-token') });
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body).code).toBe('ERR_HTTP_UPSTREAM_TIMEOUT');
    expect(ctx.actionEvents().map((e) => e.outcome)).toEqual(['forwarded']);
    expect(
      ctx.logs.some(
        (l) => l.message === 'http upstream failed' && l.detail?.code === 'ERR_HTTP_UPSTREAM_TIMEOUT',
      ),
    ).toBe(true);
  });

  it('answers 502 when the upstream resets the connection', async () => {
    await setup({}, (req) => req.socket.destroy());
    const res = await request(`${gw.url}/reset`, { headers: bearer('alice-token') });
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body).code).toBe('ERR_HTTP_UPSTREAM_UNAVAILABLE');
    const viaCurl = await curl(['-H', 'Authorization: Bearer alice-token', `${gw.url}/reset`]);
    expect(viaCurl.status).toBe(502);
  });

  it('answers 502 when the upstream refuses connections', async () => {
    ctx = testContext();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    upstream = await startUpstream();
    gw = await startGateway(ctx, { routes: [route(`http://127.0.0.1:${port}`)] });
    const res = await request(`${gw.url}/x`, { headers: bearer('alice-token') });
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body).error).toMatch(/ECONNREFUSED/);
  });

  it('cuts the client’s response when the upstream dies in the middle of its body', async () => {
    await setup({}, (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 1000 });
      res.write('partial');
      setImmediate(() => req.socket.destroy());
    });
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get(`${gw.url}/x`, { headers: bearer('alice-token') }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve('complete'));
        res.on('error', () => resolve('cut'));
        res.on('aborted', () => resolve('cut'));
      });
      req.on('error', () => resolve('cut'));
    });
    expect(outcome).toBe('cut');
  });
});
