/**
 * require_approval, in the two ways an HTTP client can wait (ARCHITECTURE.md, "Approvals"):
 *
 * - hold (default): the request waits, open, until an approver decides or holdTimeoutMs passes; a client
 *   that hangs up cancels the approval. Approved → forwarded; denied, expired or timed out → 403.
 * - async: the first request is answered 202 with the approval id and not forwarded; the client retries
 *   the same request with `Regate-Approval: <id>`. The retry is forwarded once the approval is approved,
 *   the retrying identity is the requester, and the request matches the approved one (fingerprint.ts);
 *   each approval forwards one request.
 *
 * Every step is an `action` record: approval_requested, then approved / denied / expired / error.
 */
import type { Action, ApprovalResult, Decision, HeldApproval } from '@regate/action';
import { hashRest, readPrefix, sha256 } from './body.js';
import { type Exchange, type HoldEnd, letBodyCome } from './exchange.js';
import { requestFingerprint } from './fingerprint.js';
import { forwardDecided } from './forward.js';
import { APPROVAL_HEADER } from './headers.js';
import { record, recordQuietly, refuse, refuseRecorded } from './outcomes.js';
import type { Runtime } from './runtime.js';

type HoldResult =
  | { kind: 'result'; result: ApprovalResult }
  | { kind: 'error'; error: unknown }
  | { kind: HoldEnd };

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function cancelQuietly(rt: Runtime, ex: Exchange, held: HeldApproval, reason: string): Promise<void> {
  try {
    await held.cancel(reason);
  } catch (err) {
    rt.ctx.logger.warn('http approval cancel failed', {
      request_id: ex.id,
      approval: held.id,
      error: messageOf(err),
    });
  }
}

async function openApproval(
  rt: Runtime,
  ex: Exchange,
  action: Action,
  decision: Decision,
  timeoutMs: number | undefined,
): Promise<HeldApproval | undefined> {
  try {
    return await rt.ctx.requestApproval(
      action,
      decision,
      timeoutMs === undefined ? undefined : { timeoutMs },
    );
  } catch (err) {
    await refuseRecorded(rt, ex, {
      action,
      decision,
      outcome: 'blocked',
      code: 'ERR_HTTP_APPROVAL_UNAVAILABLE',
      message: `the approval request could not be opened: ${messageOf(err)}`,
    });
    return undefined;
  }
}

/** Holds the request until the approval ends, then forwards or refuses it. */
export async function holdForApproval(
  rt: Runtime,
  ex: Exchange,
  action: Action,
  decision: Decision,
): Promise<void> {
  // Held from the moment the approval is asked for until the request is forwarded or refused.
  rt.tracker.held.add(ex);
  try {
    await hold(rt, ex, action, decision);
  } finally {
    rt.tracker.held.delete(ex);
  }
}

async function hold(rt: Runtime, ex: Exchange, action: Action, decision: Decision): Promise<void> {
  const held = await openApproval(rt, ex, action, decision, rt.opts.approval.holdTimeoutMs);
  if (held === undefined) return;
  const base = { type: 'action' as const, action, decision, approval: held.id };
  if (!(await record(rt, ex, { ...base, outcome: 'approval_requested' }))) {
    await cancelQuietly(rt, ex, held, 'the audit trail could not record the request');
    return;
  }
  rt.ctx.logger.info('http request held for approval', { request_id: ex.id, approval: held.id });
  const end = await waitHeld(rt, ex, held);
  const extra = { approval_id: held.id };
  const refusal = (
    outcome: 'denied' | 'expired' | 'error',
    code: 'ERR_HTTP_APPROVAL_DENIED' | 'ERR_HTTP_APPROVAL_EXPIRED' | 'ERR_HTTP_APPROVAL_UNAVAILABLE',
    message: string,
  ) => refuseRecorded(rt, ex, { action, decision, outcome, code, message, extra, approval: held.id });
  switch (end.kind) {
    case 'client':
      await cancelQuietly(rt, ex, held, 'the client disconnected while waiting');
      await recordQuietly(rt, ex, {
        ...base,
        outcome: 'error',
        error: 'the client disconnected while held for approval',
      });
      return;
    case 'timeout':
      await cancelQuietly(rt, ex, held, `nobody decided within ${rt.opts.approval.holdTimeoutMs} ms`);
      await refusal('expired', 'ERR_HTTP_APPROVAL_EXPIRED', 'nobody approved the request in time');
      return;
    case 'shutdown':
      await cancelQuietly(rt, ex, held, 'the gateway is shutting down');
      if (
        await record(rt, ex, {
          ...base,
          outcome: 'error',
          error: 'ERR_HTTP_SHUTTING_DOWN: gateway shut down while held',
        })
      ) {
        refuse(ex, 'ERR_HTTP_SHUTTING_DOWN', 'the gateway is shutting down; send the request again', extra);
      }
      return;
    case 'error':
      await refusal(
        'error',
        'ERR_HTTP_APPROVAL_UNAVAILABLE',
        `the approval store failed: ${messageOf(end.error)}`,
      );
      return;
  }
  const { result } = end;
  switch (result.state) {
    case 'approved':
      await forwardDecided(rt, ex, action, decision, 'approved', held.id);
      return;
    case 'denied':
      await refusal(
        'denied',
        'ERR_HTTP_APPROVAL_DENIED',
        `denied${result.by === undefined ? '' : ` by ${result.by}`}${result.reason === undefined ? '' : `: ${result.reason}`}`,
      );
      return;
    case 'expired':
      await refusal('expired', 'ERR_HTTP_APPROVAL_EXPIRED', 'nobody approved the request in time');
      return;
    case 'cancelled':
      await refusal(
        'denied',
        'ERR_HTTP_APPROVAL_DENIED',
        `the approval was cancelled${result.reason === undefined ? '' : `: ${result.reason}`}`,
      );
      return;
  }
}

function waitHeld(rt: Runtime, ex: Exchange, held: HeldApproval): Promise<HoldResult> {
  return new Promise((resolve) => {
    const ac = new AbortController();
    let settled = false;
    const finish = (r: HoldResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ex.abortHold = undefined;
      ac.abort();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), rt.opts.approval.holdTimeoutMs);
    ex.abortHold = (reason) => finish({ kind: reason });
    held.wait({ signal: ac.signal }).then(
      (result) => finish({ kind: 'result', result }),
      (error: unknown) => finish({ kind: 'error', error }),
    );
    if (ex.gone) finish({ kind: 'client' });
  });
}

/** Async mode: a first request opens the approval (202); a retry with the header is checked and forwarded. */
export async function asyncApproval(
  rt: Runtime,
  ex: Exchange,
  action: Action,
  decision: Decision,
): Promise<void> {
  const header = ex.req.headers[APPROVAL_HEADER];
  if (header === undefined) return openAsync(rt, ex, action, decision);
  return retryAsync(rt, ex, action, decision, (Array.isArray(header) ? header[0]! : header).trim());
}

function fingerprintOf(ex: Exchange, bodySha256: string): string {
  return requestFingerprint({
    method: ex.req.method ?? '',
    target: ex.route!.route.target.name,
    path: ex.target!.path,
    query: ex.target!.query,
    bodySha256,
  });
}

function pending(ex: Exchange, id: string, expiresAt: string): void {
  ex.reply.json(202, {
    approval_id: id,
    status: 'pending',
    expires_at: expiresAt,
    retry_with: `Regate-Approval: ${id}`,
    request_id: ex.id,
  });
}

async function openAsync(rt: Runtime, ex: Exchange, action: Action, decision: Decision): Promise<void> {
  let bodySha256: string;
  if (ex.prefix.complete) bodySha256 = sha256(ex.prefix.chunks);
  else {
    // Only the hash is kept: the request is not forwarded now, the retry sends the body again.
    letBodyCome(ex);
    try {
      bodySha256 = await hashRest(ex.req, ex.prefix, rt.opts.limits.maxBodyBytes);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_HTTP_BODY_TOO_LARGE') {
        await refuseRecorded(rt, ex, {
          action,
          decision,
          outcome: 'blocked',
          code: 'ERR_HTTP_BODY_TOO_LARGE',
          message: messageOf(err),
        });
      } else rt.ctx.logger.info('http client left while sending its body', { request_id: ex.id });
      return;
    }
  }
  const held = await openApproval(rt, ex, action, decision, undefined);
  if (held === undefined) return;
  rt.approvals.remember({
    id: held.id,
    subject: action.identity.subject,
    actionId: action.id,
    fingerprint: fingerprintOf(ex, bodySha256),
    expiresAt: Date.parse(held.expiresAt),
    used: false,
  });
  const event = {
    type: 'action' as const,
    action,
    decision,
    outcome: 'approval_requested' as const,
    approval: held.id,
  };
  if (!(await record(rt, ex, event))) {
    await cancelQuietly(rt, ex, held, 'the audit trail could not record the request');
    return;
  }
  pending(ex, held.id, held.expiresAt);
}

const APPROVAL_ID = /^[A-Za-z0-9._:-]{1,128}$/;

async function retryAsync(
  rt: Runtime,
  ex: Exchange,
  action: Action,
  decision: Decision,
  id: string,
): Promise<void> {
  const limits = rt.opts.limits;
  const approval = APPROVAL_ID.test(id) ? id : undefined;
  const refuseRetry = (
    code:
      | 'ERR_HTTP_APPROVAL_UNKNOWN'
      | 'ERR_HTTP_APPROVAL_ELSEWHERE'
      | 'ERR_HTTP_APPROVAL_NOT_YOURS'
      | 'ERR_HTTP_APPROVAL_MISMATCH'
      | 'ERR_HTTP_APPROVAL_USED'
      | 'ERR_HTTP_APPROVAL_DENIED'
      | 'ERR_HTTP_APPROVAL_EXPIRED'
      | 'ERR_HTTP_APPROVAL_UNAVAILABLE'
      | 'ERR_HTTP_BODY_TOO_LARGE',
    message: string,
    outcome: 'blocked' | 'denied' | 'expired' = 'blocked',
  ) =>
    refuseRecorded(rt, ex, {
      action,
      decision,
      outcome,
      code,
      message,
      ...(approval === undefined ? {} : { extra: { approval_id: approval }, approval }),
    });
  if (approval === undefined)
    return refuseRetry('ERR_HTTP_APPROVAL_UNKNOWN', 'the Regate-Approval header is not an approval id');

  // The whole body, to compare with the approved one: bounded by maxBodyBytes like any body.
  if (!ex.prefix.complete) {
    letBodyCome(ex);
    try {
      ex.prefix = await readPrefix(ex.req, limits.maxBodyBytes);
    } catch {
      rt.ctx.logger.info('http client left while sending its body', { request_id: ex.id });
      return;
    }
    if (!ex.prefix.complete) {
      return refuseRetry(
        'ERR_HTTP_BODY_TOO_LARGE',
        `the request body is larger than ${limits.maxBodyBytes} bytes`,
      );
    }
  }
  const entry = rt.approvals.get(approval);
  let status: Awaited<ReturnType<Runtime['ctx']['approvalStatus']>>;
  try {
    status = await rt.ctx.approvalStatus(approval);
  } catch (err) {
    return refuseRetry('ERR_HTTP_APPROVAL_UNAVAILABLE', `the approval store failed: ${messageOf(err)}`);
  }
  if (entry === undefined) {
    return status === undefined
      ? refuseRetry('ERR_HTTP_APPROVAL_UNKNOWN', `there is no approval ${approval}`)
      : refuseRetry(
          'ERR_HTTP_APPROVAL_ELSEWHERE',
          `approval ${approval} was requested through another gateway instance, which alone can check the retried request; send it there`,
        );
  }
  if (status === undefined)
    return refuseRetry('ERR_HTTP_APPROVAL_UNKNOWN', `there is no approval ${approval}`);
  const subject = action.identity.subject;
  if (entry.subject !== subject || status.requester !== subject) {
    return refuseRetry(
      'ERR_HTTP_APPROVAL_NOT_YOURS',
      `approval ${approval} was requested by another identity`,
    );
  }
  if (entry.fingerprint !== fingerprintOf(ex, sha256(ex.prefix.chunks))) {
    return refuseRetry(
      'ERR_HTTP_APPROVAL_MISMATCH',
      `this request differs from the one approval ${approval} was requested for (method, path, query or body)`,
    );
  }
  if (entry.used) return refuseRetry('ERR_HTTP_APPROVAL_USED', `approval ${approval} was already used`);
  switch (status.state) {
    case 'pending': {
      const event = {
        type: 'action' as const,
        action,
        decision,
        outcome: 'approval_requested' as const,
        approval,
      };
      if (await record(rt, ex, event)) pending(ex, approval, status.expiresAt);
      return;
    }
    case 'denied':
      return refuseRetry('ERR_HTTP_APPROVAL_DENIED', `approval ${approval} was denied`, 'denied');
    case 'cancelled':
      return refuseRetry('ERR_HTTP_APPROVAL_DENIED', `approval ${approval} was cancelled`, 'denied');
    case 'expired':
      return refuseRetry(
        'ERR_HTTP_APPROVAL_EXPIRED',
        `approval ${approval} expired before anyone approved it`,
        'expired',
      );
    case 'approved': {
      // Taken before the record is awaited, so two concurrent retries cannot both be forwarded.
      entry.used = true;
      const forwarded = await forwardDecided(rt, ex, action, decision, 'approved', approval);
      if (!forwarded) entry.used = false;
      return;
    }
  }
}
