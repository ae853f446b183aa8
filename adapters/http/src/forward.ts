/**
 * The last step of an allowed (or approved) request: compile its mask rules, record it, and only then
 * hand it to the upstream with the route's headers and the exact path that was decided.
 */
import type { Action, Decision } from '@regate/action';
import { compileMasker, type Masker } from '@regate/mask';
import { bodySource } from './body.js';
import { connectionSocket, type Exchange, letBodyCome } from './exchange.js';
import { forwardHeaders } from './headers.js';
import { record, recordQuietly, refuseRecorded } from './outcomes.js';
import { upstreamPath } from './routes.js';
import type { Runtime } from './runtime.js';

/** Records the action with `outcome` and forwards it; false when it was not forwarded. */
export async function forwardDecided(
  rt: Runtime,
  ex: Exchange,
  action: Action,
  decision: Decision,
  outcome: 'forwarded' | 'approved',
  approval?: string,
): Promise<boolean> {
  const route = ex.route!;
  const target = ex.target!;
  let masker: Masker | undefined;
  if (decision.mask.length > 0) {
    try {
      masker = compileMasker(decision.mask, { hashKey: rt.opts.maskHashKey });
    } catch (err) {
      const message = `the decision's mask rules do not compile: ${err instanceof Error ? err.message : String(err)}`;
      await refuseRecorded(rt, ex, {
        action,
        decision,
        outcome: 'error',
        code: 'ERR_HTTP_MASK_RULES',
        message,
      });
      return false;
    }
    if (ex.kind === 'ws') {
      await refuseRecorded(rt, ex, {
        action,
        decision,
        outcome: 'blocked',
        code: 'ERR_HTTP_WEBSOCKET_UNMASKABLE',
        message: 'the policy masks this request, and WebSocket messages cannot be masked',
      });
      return false;
    }
  }
  if (ex.gone) {
    rt.ctx.logger.info('http client left before its request was forwarded', { request_id: ex.id });
    return false;
  }
  const event = {
    type: 'action' as const,
    action,
    decision,
    outcome,
    ...(approval === undefined ? {} : { approval }),
  };
  if (!(await record(rt, ex, event))) return false;
  if (ex.gone) return false;

  const req = ex.req;
  const clientAddress = connectionSocket(ex).remoteAddress;
  req.headers = forwardHeaders(req.headers, {
    inject: route.route.headers,
    clientAddress,
    trustForwardedFor: rt.opts.trustForwardedFor,
    host: target.authority ?? req.headers.host,
    tls: rt.opts.tls !== undefined,
    upgrade: ex.kind === 'ws',
    masked: masker !== undefined,
  });
  const path = upstreamPath(route, target.path) + (target.query === undefined ? '' : `?${target.query}`);
  const onBodyTooLarge = (): void => {
    // The record above said `forwarded`; this one says the upstream request was cut off.
    void recordQuietly(rt, ex, {
      ...event,
      outcome: 'blocked',
      error: `ERR_HTTP_BODY_TOO_LARGE: the body grew past ${rt.opts.limits.maxBodyBytes} bytes after forwarding began; the upstream request was aborted`,
    });
  };
  if (ex.kind === 'ws') {
    rt.upstream.ws({ ex, route, path, masker, body: undefined, onBodyTooLarge });
    return true;
  }
  let body: ReturnType<typeof bodySource> | undefined;
  if (ex.hasBody) {
    letBodyCome(ex);
    body = bodySource(req, ex.prefix, rt.opts.limits.maxBodyBytes);
  }
  rt.upstream.web({ ex, route, path, masker, body, onBodyTooLarge });
  return true;
}
