import { afterEach, describe, expect, it } from 'vitest';
import {
  bearer,
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

afterEach(async () => {
  await gw?.close();
  await upstream?.close();
});

describe('HttpAdapter.close', () => {
  it('lets an in-flight request finish within the grace period, then stops accepting', async () => {
    ctx = testContext();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const atUpstream = new Promise<void>((resolve) => (arrived = resolve));
    upstream = await startUpstream((_req, res) => {
      arrived();
      void released.then(() => res.end('done'));
    });
    gw = await startGateway(ctx, { routes: [route(upstream.url)] });
    const pending = request(`${gw.url}/slow`, { headers: bearer('alice-token') });
    await atUpstream;
    expect(gw.adapter.stats().activeRequests).toBe(1);
    const closed = gw.adapter.close({ graceMs: 30_000 });
    release();
    const res = await pending;
    expect([res.status, res.body]).toEqual([200, 'done']);
    await closed;
    await expect(request(`${gw.url}/x`, { headers: bearer('alice-token') })).rejects.toThrow(/ECONNREFUSED/);
    expect(gw.adapter.stats()).toEqual({ activeRequests: 0, heldRequests: 0, activeSessions: 0 });
    // The session ended with its connection, and that was recorded before close() resolved.
    expect(ctx.events.filter((e) => e.type === 'session.end')).toHaveLength(1);
  });

  it('fails a held request with 503 and cancels its approval when the grace period ends', async () => {
    ctx = testContext();
    upstream = await startUpstream();
    gw = await startGateway(ctx, { routes: [route(upstream.url)] });
    const pending = request(`${gw.url}/approval/x`, { headers: bearer('alice-token') });
    const approval = await ctx.nextApproval();
    expect(gw.adapter.stats().heldRequests).toBe(1);
    await ctx.waitForEvent((e) => e.type === 'action' && e.outcome === 'approval_requested');
    await gw.adapter.close({ graceMs: 20 });
    const res = await pending;
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'ERR_HTTP_SHUTTING_DOWN', approval_id: approval.id });
    expect(approval.state).toBe('cancelled');
    expect(ctx.actionEvents().map((e) => e.outcome)).toEqual(['approval_requested', 'error']);
    expect(upstream.seen).toHaveLength(0);
  });
});
