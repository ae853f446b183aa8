import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpAdapterOptions } from './options.js';
import {
  bearer,
  curl,
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
const extra: TestGateway[] = [];

async function setup(approval: HttpAdapterOptions['approval']): Promise<void> {
  ctx = testContext();
  upstream = await startUpstream();
  gw = await startGateway(ctx, { routes: [route(upstream.url)], ...(approval ? { approval } : {}) });
}

afterEach(async () => {
  for (const g of extra.splice(0)) await g.close();
  await gw?.close();
  await upstream?.close();
});

const outcomes = () => ctx.actionEvents().map((e) => e.outcome);
const post = (token: string, body = '{"amount": 10}') => ({
  method: 'POST',
  headers: { ...bearer(token), 'content-type': 'application/json' },
  body,
});

describe('createHttpAdapter: approvals, hold mode', () => {
  it('holds the request and forwards it when the approval is approved', async () => {
    await setup(undefined);
    const pending = request(`${gw.url}/approval/refund`, post('alice-token'));
    const approval = await ctx.nextApproval();
    expect(approval.timeoutMs).toBe(120_000);
    expect(gw.adapter.stats().heldRequests).toBe(1);
    await ctx.waitForEvent((e) => e.type === 'action' && e.outcome === 'approval_requested');
    expect(upstream.seen).toHaveLength(0);
    approval.end({ state: 'approved', by: 'bob' });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.body.toString()).toBe('{"amount": 10}');
    expect(outcomes()).toEqual(['approval_requested', 'approved']);
    expect(ctx.actionEvents()[1]!.approval).toBe(approval.id);
    expect(gw.adapter.stats().heldRequests).toBe(0);
  });

  it('answers 403 with the reason when the approval is denied (curl)', async () => {
    await setup({ mode: 'hold' });
    const pending = curl(['-H', 'Authorization: Bearer alice-token', `${gw.url}/approval/refund`]);
    const approval = await ctx.nextApproval();
    approval.end({ state: 'denied', by: 'bob', reason: 'not during the freeze' });
    const res = await pending;
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'ERR_HTTP_APPROVAL_DENIED',
      error: 'denied by bob: not during the freeze',
      approval_id: approval.id,
    });
    expect(upstream.seen).toHaveLength(0);
    expect(outcomes()).toEqual(['approval_requested', 'denied']);
  });

  it('answers 403 when the approval expires', async () => {
    await setup({ mode: 'hold' });
    const pending = request(`${gw.url}/approval/refund`, { headers: bearer('alice-token') });
    (await ctx.nextApproval()).end({ state: 'expired' });
    const res = await pending;
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('ERR_HTTP_APPROVAL_EXPIRED');
    expect(outcomes()).toEqual(['approval_requested', 'expired']);
  });

  it('answers 403 and cancels the approval when the hold times out', async () => {
    await setup({ mode: 'hold', holdTimeoutMs: 50 });
    const res = await request(`${gw.url}/approval/refund`, { headers: bearer('alice-token') });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('ERR_HTTP_APPROVAL_EXPIRED');
    const [approval] = ctx.approvals.values();
    expect(approval?.state).toBe('cancelled');
    expect(approval?.cancelReason).toMatch(/within 50 ms/);
    expect(outcomes()).toEqual(['approval_requested', 'expired']);
    expect(upstream.seen).toHaveLength(0);
  });

  it('cancels the approval and records it when the client disconnects while held', async () => {
    await setup({ mode: 'hold' });
    const req = http.get(`${gw.url}/approval/refund`, { headers: bearer('alice-token') });
    req.on('error', () => {});
    const approval = await ctx.nextApproval();
    req.destroy();
    const ended = await ctx.waitForEvent((e) => e.type === 'action' && e.outcome === 'error');
    expect(ended).toMatchObject({
      error: 'the client disconnected while held for approval',
      approval: approval.id,
    });
    expect(approval.state).toBe('cancelled');
    expect(approval.cancelReason).toBe('the client disconnected while waiting');
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 503 when the approval store cannot open the request', async () => {
    await setup({ mode: 'hold' });
    ctx.failApprovals = true;
    const res = await request(`${gw.url}/approval/refund`, { headers: bearer('alice-token') });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).code).toBe('ERR_HTTP_APPROVAL_UNAVAILABLE');
    expect(outcomes()).toEqual(['blocked']);
  });

  it('cancels the approval and answers 503 when the audit trail cannot record the request', async () => {
    await setup({ mode: 'hold' });
    ctx.failRecords = (e) => e.type === 'action' && e.outcome === 'approval_requested';
    const res = await request(`${gw.url}/approval/refund`, { headers: bearer('alice-token') });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).code).toBe('ERR_HTTP_AUDIT_UNAVAILABLE');
    expect([...ctx.approvals.values()][0]?.state).toBe('cancelled');
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('createHttpAdapter: approvals, async mode', () => {
  async function open(
    token = 'alice-token',
    body?: string,
  ): Promise<{ id: string; res: Awaited<ReturnType<typeof request>> }> {
    const res = await request(`${gw.url}/approval/refund?order=7`, post(token, body));
    const parsed = JSON.parse(res.body);
    return { id: parsed.approval_id, res };
  }

  it('answers 202 with the approval id, then forwards the approved retry once', async () => {
    await setup({ mode: 'async' });
    const { id, res } = await open();
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toEqual({
      approval_id: id,
      status: 'pending',
      expires_at: '2026-11-23T10:10:00.000Z',
      retry_with: `Regate-Approval: ${id}`,
      request_id: res.headers['regate-request-id'],
    });
    expect(upstream.seen).toHaveLength(0);
    const retry = () =>
      request(`${gw.url}/approval/refund?order=7`, {
        ...post('alice-token'),
        headers: { ...post('alice-token').headers, 'regate-approval': id },
      });
    // Not approved yet: still pending.
    expect((await retry()).status).toBe(202);
    ctx.approvals.get(id)!.end({ state: 'approved', by: 'bob' });
    const forwarded = await retry();
    expect(forwarded.status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.headers['regate-approval']).toBeUndefined();
    // Each approval forwards one request.
    const again = await retry();
    expect(again.status).toBe(403);
    expect(JSON.parse(again.body).code).toBe('ERR_HTTP_APPROVAL_USED');
    expect(upstream.seen).toHaveLength(1);
    expect(outcomes()).toEqual(['approval_requested', 'approval_requested', 'approved', 'blocked']);
  });

  it('refuses the retry when another identity presents the approval', async () => {
    await setup({ mode: 'async' });
    const { id } = await open();
    ctx.approvals.get(id)!.end({ state: 'approved', by: 'carol' });
    const res = await request(`${gw.url}/approval/refund?order=7`, {
      ...post('bob-token'),
      headers: { ...post('bob-token').headers, 'regate-approval': id },
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('ERR_HTTP_APPROVAL_NOT_YOURS');
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses the retry when it differs from the approved request in body, query or method', async () => {
    await setup({ mode: 'async' });
    const { id } = await open();
    ctx.approvals.get(id)!.end({ state: 'approved', by: 'bob' });
    const headers = { ...post('alice-token').headers, 'regate-approval': id };
    const variants = [
      request(`${gw.url}/approval/refund?order=7`, { method: 'POST', headers, body: '{"amount": 10000}' }),
      request(`${gw.url}/approval/refund?order=8`, { method: 'POST', headers, body: '{"amount": 10}' }),
      request(`${gw.url}/approval/refund?order=7`, { method: 'PUT', headers, body: '{"amount": 10}' }),
    ];
    for (const res of await Promise.all(variants)) {
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).code).toBe('ERR_HTTP_APPROVAL_MISMATCH');
    }
    expect(upstream.seen).toHaveLength(0);
    // The approval is still unused: the matching request goes through.
    const ok = await request(`${gw.url}/approval/refund?order=7`, {
      method: 'POST',
      headers,
      body: '{"amount": 10}',
    });
    expect(ok.status).toBe(200);
  });

  it('refuses an unknown approval id and one opened through another gateway instance', async () => {
    await setup({ mode: 'async' });
    const other = await startGateway(ctx, { routes: [route(upstream.url)], approval: { mode: 'async' } });
    extra.push(other);
    const { id } = await open();
    ctx.approvals.get(id)!.end({ state: 'approved', by: 'bob' });
    const headers = (approval: string) => ({ ...post('alice-token').headers, 'regate-approval': approval });
    const elsewhere = await request(`${other.url}/approval/refund?order=7`, {
      method: 'POST',
      headers: headers(id),
      body: '{"amount": 10}',
    });
    expect(elsewhere.status).toBe(409);
    expect(JSON.parse(elsewhere.body)).toMatchObject({
      code: 'ERR_HTTP_APPROVAL_ELSEWHERE',
      approval_id: id,
    });
    const unknown = await request(`${gw.url}/approval/refund?order=7`, {
      method: 'POST',
      headers: headers('apr_nope'),
      body: '{"amount": 10}',
    });
    expect(unknown.status).toBe(403);
    expect(JSON.parse(unknown.body).code).toBe('ERR_HTTP_APPROVAL_UNKNOWN');
    const junk = await request(`${gw.url}/approval/refund?order=7`, {
      method: 'POST',
      headers: headers('a b\u00ff'),
      body: '{"amount": 10}',
    });
    expect(JSON.parse(junk.body).code).toBe('ERR_HTTP_APPROVAL_UNKNOWN');
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses the retry when the approval was denied or expired', async () => {
    await setup({ mode: 'async' });
    const denied = await open();
    const expired = await open();
    ctx.approvals.get(denied.id)!.end({ state: 'denied', by: 'bob', reason: 'no' });
    ctx.approvals.get(expired.id)!.end({ state: 'expired' });
    for (const [id, code] of [
      [denied.id, 'ERR_HTTP_APPROVAL_DENIED'],
      [expired.id, 'ERR_HTTP_APPROVAL_EXPIRED'],
    ] as const) {
      const res = await request(`${gw.url}/approval/refund?order=7`, {
        ...post('alice-token'),
        headers: { ...post('alice-token').headers, 'regate-approval': id },
      });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).code).toBe(code);
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it('fingerprints a streamed body too: a large body is hashed, not kept, and must match on retry', async () => {
    await setup({ mode: 'async' });
    const big = 'x'.repeat(200_000);
    const first = await request(`${gw.url}/approval/upload`, {
      method: 'PUT',
      headers: { ...bearer('alice-token'), 'content-type': 'application/octet-stream' },
      body: big,
    });
    const id = JSON.parse(first.body).approval_id;
    ctx.approvals.get(id)!.end({ state: 'approved', by: 'bob' });
    const headers = {
      ...bearer('alice-token'),
      'content-type': 'application/octet-stream',
      'regate-approval': id,
    };
    const changed = await request(`${gw.url}/approval/upload`, { method: 'PUT', headers, body: `${big}y` });
    expect(JSON.parse(changed.body).code).toBe('ERR_HTTP_APPROVAL_MISMATCH');
    const same = await request(`${gw.url}/approval/upload`, { method: 'PUT', headers, body: big });
    expect(same.status).toBe(200);
    expect(upstream.seen[0]!.body.length).toBe(200_000);
  });
});
