/**
 * Recording and answering. The rule (adapter.ts in @regate/action): an action's record is committed
 * before the client is answered or anything is forwarded, and when the audit trail cannot take it the
 * answer is 503 (ERR_HTTP_AUDIT_UNAVAILABLE), whatever it would have been.
 */
import type { Action, ActionOutcome, AdapterEvent, Decision } from '@regate/action';
import { type HttpErrorCode, statusOf } from './errors.js';
import type { Exchange } from './exchange.js';
import type { Runtime } from './runtime.js';

/**
 * The Decision recorded for a refusal the adapter made before (or instead of) the policy: a missing
 * token, a body over the limit. It names the code; no policy revision made it.
 */
export function adapterDecision(code: string, message: string): Decision {
  return {
    effect: 'block',
    reasons: [`${code}: ${message}`],
    mask: [],
    approvals: [],
    policy: { revision: '' },
  };
}

/** Whether the connection must close after a refusal: a body the client is sending was never read. */
export function mustClose(ex: Exchange): boolean {
  return ex.kind === 'ws' || (ex.hasBody && !ex.req.readableEnded);
}

/** Answers with a JSON refusal `{ error, code, request_id, ...extra }`. */
export function refuse(
  ex: Exchange,
  code: HttpErrorCode,
  message: string,
  extra?: Record<string, unknown>,
  status = statusOf(code),
): void {
  ex.reply.json(status, { error: message, code, request_id: ex.id, ...extra }, { close: mustClose(ex) });
}

/** Appends to the audit trail; when it cannot, answers 503 and returns false. */
export async function record(rt: Runtime, ex: Exchange, event: AdapterEvent): Promise<boolean> {
  try {
    await rt.ctx.record(event);
    return true;
  } catch (err) {
    rt.ctx.logger.error('http audit record failed; request refused', {
      request_id: ex.id,
      event: event.type,
      error: err instanceof Error ? err.message : String(err),
    });
    refuse(ex, 'ERR_HTTP_AUDIT_UNAVAILABLE', 'audit trail unavailable: the request was not forwarded');
    return false;
  }
}

export interface RefusalRecord {
  action: Action;
  decision: Decision;
  outcome: ActionOutcome;
  code: HttpErrorCode;
  message: string;
  extra?: Record<string, unknown>;
  approval?: string;
}

/** Records a refused action, then answers the refusal. */
export async function refuseRecorded(rt: Runtime, ex: Exchange, r: RefusalRecord): Promise<void> {
  const event: AdapterEvent = {
    type: 'action',
    action: r.action,
    decision: r.decision,
    outcome: r.outcome,
    error: `${r.code}: ${r.message}`,
    ...(r.approval === undefined ? {} : { approval: r.approval }),
  };
  if (!(await record(rt, ex, event))) return;
  refuse(ex, r.code, r.message, r.extra);
}

/** Records what happened to an action when there is nobody left to answer (the client went away). */
export async function recordQuietly(rt: Runtime, ex: Exchange, event: AdapterEvent): Promise<void> {
  try {
    await rt.ctx.record(event);
  } catch (err) {
    rt.ctx.logger.error('http audit record failed', {
      request_id: ex.id,
      event: event.type,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

/** `decide` never throws by contract; if it does anyway, the action is blocked with the reason. */
export function safeDecide(rt: Runtime, action: Action): Decision {
  try {
    return rt.ctx.decide(action);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      effect: 'block',
      reasons: [`decide failed: ${message}`],
      mask: [],
      approvals: [],
      policy: { revision: '' },
    };
  }
}
