import { afterEach, describe, expect, it } from 'vitest';
import {
  ALICE,
  bearer,
  curl,
  oneConnection,
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

async function setup(): Promise<void> {
  ctx = testContext();
  upstream = await startUpstream();
  gw = await startGateway(ctx, { routes: [route(upstream.url)] });
}

afterEach(async () => {
  await gw?.close();
  await upstream?.close();
});

describe('createHttpAdapter', () => {
  it('forwards an allowed request when the token is valid, and records it first', async () => {
    await setup();
    const res = await fetch(`${gw.url}/orders?id=7&id=8`, { headers: bearer('alice-token') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'GET', url: '/orders?id=7&id=8', bytes: 0 });
    const [event] = ctx.actionEvents().filter((e) => e.action.kind === 'http.request');
    expect(event?.outcome).toBe('forwarded');
    expect(event?.action.identity).toEqual(ALICE);
    expect(event?.action.http).toMatchObject({ method: 'GET', path: '/orders', query: { id: ['7', '8'] } });
    expect(res.headers.get('regate-request-id')).toBe(event?.action.id);
  });
});
