/**
 * One request, in the order every adapter keeps (ARCHITECTURE.md, "Data flow"): route → authenticate →
 * session.open (first request of a connection, identity and target) → body (only what the policy reads)
 * → decide http.request → enforce → record → forward. Nothing reaches the upstream before the record
 * of its decision is committed.
 */
import type { IncomingMessage } from 'node:http';
import { ANONYMOUS, type Identity, type SessionInfo } from '@regate/action';
import { asyncApproval, holdForApproval } from './approval-flow.js';
import { contentLength, hasBody, readPrefix } from './body.js';
import { isJson, parseMediaType } from './content-type.js';
import { connectionSocket, type Exchange, letBodyCome } from './exchange.js';
import { forwardDecided } from './forward.js';
import { bearerToken } from './headers.js';
import {
  adapterDecision,
  mustClose,
  record,
  recordQuietly,
  refuse,
  refuseRecorded,
  safeDecide,
} from './outcomes.js';
import { parseRequestTarget } from './request-target.js';
import { requestToAction, sessionOpenAction } from './request-to-action.js';
import type { Runtime } from './runtime.js';
import { type Connection, sessionKey } from './sessions.js';

type Client = NonNullable<SessionInfo['client']>;

/** Runs one exchange to its end; never rejects. */
export async function handleExchange(rt: Runtime, ex: Exchange): Promise<void> {
  try {
    await run(rt, ex);
  } catch (err) {
    rt.ctx.logger.error('http adapter failed on a request; it was not forwarded', {
      request_id: ex.id,
      error: err instanceof Error ? err.message : String(err),
    });
    if (!ex.reply.started)
      refuse(ex, 'ERR_HTTP_INTERNAL', 'the gateway failed on this request; it was not forwarded');
    else ex.reply.abort();
  }
}

/** Where the request comes from: the peer, or with trustForwardedFor the last X-Forwarded-For entry. */
export function clientOf(req: IncomingMessage, trustForwardedFor: boolean): Client {
  let address = req.socket.remoteAddress;
  const xff = req.headers['x-forwarded-for'];
  if (trustForwardedFor && typeof xff === 'string') {
    // The last entry is the one the trusted proxy added; the ones before it are the client's own claims.
    const last = xff
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .pop();
    if (last !== undefined) address = last;
  }
  const agent = req.headers['user-agent'];
  return {
    ...(address === undefined ? {} : { address }),
    ...(agent === undefined ? {} : { application: agent.slice(0, 256) }),
  };
}

async function run(rt: Runtime, ex: Exchange): Promise<void> {
  const { ctx, opts } = rt;
  const req = ex.req;
  if (rt.tracker.closing) {
    refuse(ex, 'ERR_HTTP_SHUTTING_DOWN', 'the gateway is shutting down; send the request again');
    return;
  }
  const target = parseRequestTarget(req.url ?? '');
  if (target === undefined) {
    ctx.logger.warn('http malformed request target', { remote: req.socket.remoteAddress });
    refuse(ex, 'ERR_HTTP_BAD_REQUEST', 'the request target is malformed');
    return;
  }
  ex.target = target;
  if (
    ex.kind === 'ws' &&
    (req.method !== 'GET' || String(req.headers.upgrade).toLowerCase() !== 'websocket')
  ) {
    refuse(ex, 'ERR_HTTP_BAD_REQUEST', 'only WebSocket upgrades (GET with Upgrade: websocket) are supported');
    return;
  }
  const host = target.authority ?? req.headers.host;
  const route = rt.routes.match(host, target.path);
  if (route === undefined) {
    // No target, so nothing the audit trail could file it under; the log has it.
    ctx.logger.info('http no route', { host, path: target.path, remote: req.socket.remoteAddress });
    refuse(ex, 'ERR_HTTP_NO_ROUTE', `no route for ${host ?? '(no host)'}${target.path}`);
    return;
  }
  ex.route = route;
  ex.id = ctx.newId();
  const time = ctx.clock();
  const socket = connectionSocket(ex);
  const conn = rt.sessions.connection(socket);
  const client = clientOf(req, opts.trustForwardedFor);
  const base = (identity: Identity, session: SessionInfo) => ({
    id: ex.id!,
    time,
    identity,
    session,
    target: route.route.target,
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    maxActionBodyBytes: opts.limits.maxActionBodyBytes,
  });

  // 1. Authenticate. Refusals are recorded under the anonymous identity and the connection's id.
  const token = bearerToken(req.headers);
  let identity: Identity;
  if (token === undefined) {
    await unauthenticated(
      rt,
      ex,
      base(ANONYMOUS, anonymousSession(conn, client)),
      false,
      'ERR_TOKEN_MISSING',
      req.headers.authorization === undefined
        ? 'no credentials: send Authorization: Bearer <token>'
        : 'the Authorization header is not a Bearer token',
    );
    return;
  }
  try {
    identity = await ctx.authenticate(token);
  } catch (err) {
    const code =
      typeof (err as { code?: unknown }).code === 'string'
        ? (err as { code: string }).code
        : 'ERR_HTTP_UNAUTHENTICATED';
    const message = err instanceof Error ? err.message : 'the token was refused';
    await unauthenticated(rt, ex, base(ANONYMOUS, anonymousSession(conn, client)), true, code, message);
    return;
  }
  if (ex.gone) return;

  // 2. The session of this connection, identity and target.
  const session = await openSession(rt, ex, conn, identity, client, time);
  if (session === undefined) return;
  ex.session = session;

  // 3. The body: refused early when announced too large; buffered only when the policy reads it.
  const length = contentLength(req);
  const limits = opts.limits;
  if (length !== undefined && length > limits.maxBodyBytes) {
    await refuseBody(rt, ex, requestToAction(base(identity, session)));
    return;
  }
  if (
    ex.kind === 'web' &&
    hasBody(req) &&
    isJson(parseMediaType(req.headers['content-type'])) &&
    (length === undefined || length <= limits.maxActionBodyBytes)
  ) {
    letBodyCome(ex);
    try {
      ex.prefix = await readPrefix(req, limits.maxActionBodyBytes);
    } catch {
      ctx.logger.info('http client left while sending its body', { request_id: ex.id });
      return;
    }
    if (ex.prefix.bytes > limits.maxBodyBytes) {
      await refuseBody(rt, ex, requestToAction(base(identity, session)));
      return;
    }
  }

  // 4. Decide, 5. enforce.
  const action = requestToAction({
    ...base(identity, session),
    body: ex.prefix.complete ? Buffer.concat(ex.prefix.chunks) : undefined,
  });
  ex.action = action;
  const decision = safeDecide(rt, action);
  ex.decision = decision;
  switch (decision.effect) {
    case 'block':
      await refuseRecorded(rt, ex, {
        action,
        decision,
        outcome: 'blocked',
        code: 'ERR_HTTP_BLOCKED',
        message: 'blocked by policy',
        extra: { reasons: decision.reasons },
      });
      return;
    case 'require_approval':
      if (opts.approval.mode === 'async') await asyncApproval(rt, ex, action, decision);
      else await holdForApproval(rt, ex, action, decision);
      return;
    case 'allow':
    case 'mask':
      await forwardDecided(rt, ex, action, decision, 'forwarded');
      return;
  }
}

function anonymousSession(conn: Connection, client: Client): SessionInfo {
  return Object.keys(client).length === 0 ? { id: conn.id } : { id: conn.id, client };
}

async function unauthenticated(
  rt: Runtime,
  ex: Exchange,
  parts: Parameters<typeof requestToAction>[0],
  claimed: boolean,
  code: string,
  message: string,
): Promise<void> {
  const action = requestToAction(parts);
  const event = {
    type: 'action' as const,
    action,
    decision: adapterDecision(code, message),
    outcome: 'blocked' as const,
    error: `${code}: ${message}`,
  };
  if (!(await record(rt, ex, event))) return;
  // RFC 6750 §3.1: no error code when the request carried no credentials at all.
  const challenge = claimed ? 'Bearer realm="regate", error="invalid_token"' : 'Bearer realm="regate"';
  ex.reply.json(
    401,
    { error: message, code, request_id: ex.id },
    { headers: { 'www-authenticate': challenge }, close: mustClose(ex) },
  );
}

async function refuseBody(
  rt: Runtime,
  ex: Exchange,
  action: ReturnType<typeof requestToAction>,
): Promise<void> {
  const message = `the request body is larger than ${rt.opts.limits.maxBodyBytes} bytes`;
  await refuseRecorded(rt, ex, {
    action,
    decision: adapterDecision('ERR_HTTP_BODY_TOO_LARGE', message),
    outcome: 'blocked',
    code: 'ERR_HTTP_BODY_TOO_LARGE',
    message,
  });
}

/**
 * The session for this connection, identity and target: the existing one, or a new one when
 * session.open is allowed (recorded as session.start). Undefined when refused (already answered).
 */
async function openSession(
  rt: Runtime,
  ex: Exchange,
  conn: Connection,
  identity: Identity,
  client: Client,
  time: Date,
): Promise<SessionInfo | undefined> {
  const target = ex.route!.route.target;
  const key = sessionKey(identity, target.name);
  const info = (id: string): SessionInfo => (Object.keys(client).length === 0 ? { id } : { id, client });
  for (;;) {
    const open = conn.sessions.get(key);
    if (open !== undefined) return info(open.id);
    const opening = conn.opening.get(key);
    if (opening === undefined) break;
    // Another request of this connection is deciding session.open: wait for it, then look again.
    await opening;
  }
  let done!: () => void;
  conn.opening.set(key, new Promise<void>((resolve) => (done = resolve)));
  try {
    const session = info(rt.ctx.newId());
    const action = sessionOpenAction({ id: rt.ctx.newId(), time, identity, session, target });
    const decision = safeDecide(rt, action);
    if (decision.effect === 'block' || decision.effect === 'require_approval') {
      // The refusal's request id is the session.open action's: that is what the audit trail holds.
      ex.id = action.id;
      await refuseRecorded(rt, ex, {
        action,
        decision,
        outcome: 'blocked',
        code: 'ERR_HTTP_SESSION_BLOCKED',
        message:
          decision.effect === 'block'
            ? `the policy does not let ${identity.subject} use ${target.name}`
            : 'the policy requires an approval to open this session, which HTTP sessions do not support',
        extra: { reasons: decision.reasons },
      });
      return undefined;
    }
    const started = await record(rt, ex, {
      type: 'session.start',
      session: session.id,
      identity,
      target: target.name,
      protocol: 'http',
      ...(session.client === undefined ? {} : { client: session.client }),
    });
    if (!started) return undefined;
    if (
      !rt.sessions.add(conn, key, { id: session.id, identity, target: target.name }, connectionSocket(ex))
    ) {
      // The connection closed while the session opened: end it at once so the trail has no open session.
      await recordQuietly(rt, ex, {
        type: 'session.end',
        session: session.id,
        identity,
        target: target.name,
        reason: 'connection closed',
      });
      return undefined;
    }
    return session;
  } finally {
    conn.opening.delete(key);
    done();
  }
}
