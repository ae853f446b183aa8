/**
 * The admin API, plain node:http and JSON, on its own listener:
 *
 *   GET  /healthz                         no auth: the process answers
 *   GET  /readyz                          no auth: 200 when a policy is active and the audit trail takes
 *                                         records, else 503 with the reasons
 *   GET  /metrics                         Prometheus text (metrics.read, unless admin.metrics_public)
 *   GET  /v1/policy                       policy.read: revision, entrypoint, activation time, engine metrics
 *   GET  /v1/approvals?state=&limit=&mine= approvals.read
 *   GET  /v1/approvals/:id                approvals.read
 *   POST /v1/approvals/:id/approve        approvals.vote, body {"reason"?}
 *   POST /v1/approvals/:id/deny           approvals.vote, body {"reason"}
 *   GET  /v1/audit/records?…              audit.read: search (identity, group, target, kind, type, effect,
 *                                         outcome, session, since, until, q, cursor, limit, instance, order)
 *   GET  /v1/audit/sessions/:id?format=   audit.export: jsonl (default), asciicast or transcript
 *   *    /dev-issuer/…                    the dev OIDC issuer's discovery and keys, when identity.dev
 *
 * Every /v1 call, in this order: bearer token → identity (401), route (404/405), `engine.authorizeAdmin`
 * (403), body (400/413), the operation, then an `admin` audit record of it (operation, method, path,
 * status, allowed) — and only once that record is committed does the answer leave: a call the trail
 * cannot record is refused with 503, refusals included. The approval service enforces four-eyes and the
 * request's own approvers on every vote; this layer only decides who may use the API at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANONYMOUS, EFFECTS, type Identity } from '@regate/action';
import { ApprovalError, type ApprovalService, REQUEST_STATES, type RequestState } from '@regate/approvals';
import {
  AuditError,
  type AuditStore,
  asciicast,
  EVENT_TYPES,
  type EventType,
  OUTCOMES,
  type Outcome,
  recordOf,
  type SearchQuery,
  sessionRecords,
  transcript,
} from '@regate/audit';
import type { AdminOperation, PolicyEngine } from '@regate/engine';
import type { AuditRecorder } from './audit-recorder.js';
import type { GatewayErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';

export interface AdminApiDeps {
  engine: PolicyEngine;
  /** Verifies a bearer token (bound late: the dev issuer's URL is known once the admin port is). */
  authenticate: (token: string) => Promise<Identity>;
  recorder: AuditRecorder;
  approvals: ApprovalService;
  store: AuditStore;
  metrics: GatewayMetrics;
  logger: Logger;
  metricsPublic: boolean;
  maxBodyBytes: number;
  /** When the active policy revision was activated (RFC 3339). */
  activatedAt: () => string | undefined;
  /** The dev issuer's handler, when identity.dev; returns false for URLs it does not serve. */
  devIssuer?: () => ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** Where the gateway is in its life: ready only while `running`. */
  phase: () => 'starting' | 'running' | 'stopping';
}

interface Answer {
  status: number;
  /** JSON body, or raw text with `type`. */
  json?: unknown;
  text?: string;
  type?: string;
  /** Extra facts for the audit record (an approval id, a session id). */
  detail?: Record<string, unknown>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Call {
  identity: Identity;
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  operation: AdminOperation;
  run: (call: Call, deps: AdminApiDeps) => Promise<Answer>;
}

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/v1\/policy$/, operation: 'policy.read', run: policyInfo },
  { method: 'GET', pattern: /^\/v1\/approvals$/, operation: 'approvals.read', run: listApprovals },
  { method: 'GET', pattern: /^\/v1\/approvals\/([^/]+)$/, operation: 'approvals.read', run: getApproval },
  {
    method: 'POST',
    pattern: /^\/v1\/approvals\/([^/]+)\/(approve|deny)$/,
    operation: 'approvals.vote',
    run: vote,
  },
  { method: 'GET', pattern: /^\/v1\/audit\/records$/, operation: 'audit.read', run: searchRecords },
  {
    method: 'GET',
    pattern: /^\/v1\/audit\/sessions\/([^/]+)$/,
    operation: 'audit.export',
    run: exportSession,
  },
];

export function createAdminHandler(deps: AdminApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, deps).catch((err) => {
      deps.logger.error('admin call failed unexpectedly', { error: (err as Error)?.message, path: req.url });
      if (!res.headersSent)
        send(res, deps, errorAnswer(500, 'ERR_ADMIN_INTERNAL', 'internal error; see the gateway log'));
      else res.destroy();
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: AdminApiDeps): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://admin.invalid');
  } catch {
    send(res, deps, errorAnswer(400, 'ERR_ADMIN_BAD_REQUEST', 'the request target is not a valid URL path'));
    return;
  }
  const path = url.pathname;
  const dev = deps.devIssuer?.();
  if (dev && path.startsWith('/dev-issuer') && dev(req, res)) {
    deps.metrics.adminRequests.inc({ status: String(res.statusCode) });
    return;
  }
  if (path === '/healthz' && isRead(req)) return send(res, deps, { status: 200, json: { status: 'ok' } });
  if (path === '/readyz' && isRead(req)) return send(res, deps, await readiness(deps));
  if (path === '/metrics' && isRead(req)) return metrics(req, res, deps);
  if (!path.startsWith('/v1/'))
    return send(
      res,
      deps,
      errorAnswer(
        404,
        'ERR_ADMIN_NOT_FOUND',
        `no admin route ${req.method} ${path}: see /v1/policy, /v1/approvals, /v1/audit/records`,
      ),
    );
  return v1(req, res, url, deps);
}

function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

async function v1(req: IncomingMessage, res: ServerResponse, url: URL, deps: AdminApiDeps): Promise<void> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const matched = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m !== null);
  const route = matched.find((x) => x.r.method === method);
  const operation = (route ?? matched[0])?.r.operation;
  const record = async (
    identity: Identity,
    answer: Answer,
    allowed: boolean,
    reason?: string,
  ): Promise<void> => {
    const detail: Record<string, unknown> = { method, path, status: answer.status, allowed };
    if ([...url.searchParams.keys()].length > 0) detail.query = Object.fromEntries(url.searchParams);
    if (reason !== undefined) detail.reason = reason;
    Object.assign(detail, answer.detail);
    try {
      await deps.recorder.append({ type: 'admin', operation: operation ?? 'unknown', identity, detail });
    } catch (err) {
      // Nothing leaves unrecorded: not the data, not even the refusal.
      return send(
        res,
        deps,
        errorAnswer(
          503,
          'ERR_ADMIN_AUDIT_UNAVAILABLE',
          `the audit trail cannot record this call, so it is refused: ${(err as Error)?.message ?? String(err)}${codeSuffix(err)}`,
        ),
      );
    }
    send(res, deps, answer);
  };

  // 1. who
  const token = bearer(req.headers.authorization);
  let identity: Identity;
  if (token === undefined) {
    drain(req);
    return record(
      ANONYMOUS,
      errorAnswer(401, 'ERR_ADMIN_UNAUTHENTICATED', 'send your OIDC token as Authorization: Bearer <token>'),
      false,
      'no bearer token',
    );
  }
  try {
    identity = await deps.authenticate(token);
  } catch (err) {
    drain(req);
    const why = `${(err as Error)?.message ?? 'the token was refused'}${codeSuffix(err)}`;
    return record(
      ANONYMOUS,
      errorAnswer(401, 'ERR_ADMIN_UNAUTHENTICATED', `the token was refused: ${why}`),
      false,
      why,
    );
  }

  // 2. which operation
  if (!route) {
    drain(req);
    const answer =
      matched.length > 0
        ? errorAnswer(
            405,
            'ERR_ADMIN_METHOD',
            `${path} takes ${matched.map((x) => x.r.method).join(', ')}, not ${method}`,
          )
        : errorAnswer(404, 'ERR_ADMIN_NOT_FOUND', `no admin route ${method} ${path}`);
    return record(identity, answer, false, answer.status === 405 ? 'method not allowed' : 'no such route');
  }

  // 3. may they
  const auth = deps.engine.authorizeAdmin({ identity, operation: route.r.operation });
  if (!auth.allowed) {
    drain(req);
    return record(identity, errorAnswer(403, 'ERR_ADMIN_FORBIDDEN', auth.reason), false, auth.reason);
  }

  // 4. what
  let answer: Answer;
  try {
    const body = method === 'POST' ? await readJson(req, deps.maxBodyBytes) : undefined;
    answer = await route.r.run(
      {
        identity,
        params: (route.m ?? []).slice(1).map((p) => decodeParam(p)),
        query: url.searchParams,
        body,
      },
      deps,
    );
  } catch (err) {
    answer = failure(err, deps);
    if (answer.status === 413) res.setHeader('connection', 'close');
  }
  return record(identity, answer, true);
}

function codeSuffix(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? ` [${code}]` : '';
}

function decodeParam(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', `${JSON.stringify(p)} is not valid percent-encoding`);
  }
}

function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

/** Discards a body nobody will read, so the connection can be reused. */
function drain(req: IncomingMessage): void {
  req.resume();
}

function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) {
    req.resume();
    return Promise.reject(
      new ApiError(413, 'ERR_ADMIN_BODY_TOO_LARGE', `the body is over the limit of ${max} bytes`),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > max) {
        failed = true;
        reject(new ApiError(413, 'ERR_ADMIN_BODY_TOO_LARGE', `the body is over the limit of ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('error', (err) => {
      if (!failed)
        reject(new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', `the body could not be read: ${err.message}`));
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', `the body is not JSON: ${(err as Error).message}`));
      }
    });
  });
}

/** Maps an error from the operation to an answer: the domain's own code with a fitting status. */
function failure(err: unknown, deps: AdminApiDeps): Answer {
  if (err instanceof ApiError) return errorAnswer(err.status, err.code, err.message);
  if (err instanceof ApprovalError) {
    const status: Record<string, number> = {
      ERR_APPROVAL_NOT_FOUND: 404,
      ERR_APPROVAL_INVALID_VOTE: 400,
      ERR_APPROVAL_NOT_PENDING: 409,
      ERR_APPROVAL_SELF_APPROVAL: 409,
      ERR_APPROVAL_NOT_APPROVER: 409,
      ERR_APPROVAL_ALREADY_VOTED: 409,
      ERR_APPROVAL_BUSY: 409,
      ERR_APPROVAL_CONFLICT: 409,
    };
    return errorAnswer(status[err.code] ?? 503, err.code, err.message);
  }
  if (err instanceof AuditError) {
    const status: Record<string, number> = { ERR_AUDIT_INVALID_QUERY: 400, ERR_AUDIT_NOT_FOUND: 404 };
    return errorAnswer(status[err.code] ?? 503, err.code, err.message);
  }
  deps.logger.error('admin operation failed', { error: (err as Error)?.message });
  return errorAnswer(500, 'ERR_ADMIN_INTERNAL', 'internal error; see the gateway log');
}

function errorAnswer(status: number, code: GatewayErrorCode | string, message: string): Answer {
  return { status, json: { error: message, code } };
}

function send(res: ServerResponse, deps: AdminApiDeps, answer: Answer): void {
  deps.metrics.adminRequests.inc({ status: String(answer.status) });
  if (res.headersSent) return;
  res.statusCode = answer.status;
  res.setHeader('cache-control', 'no-store');
  if (answer.status === 401) res.setHeader('www-authenticate', 'Bearer realm="regate-admin"');
  if (answer.text !== undefined) {
    res.setHeader('content-type', answer.type ?? 'text/plain; charset=utf-8');
    res.end(answer.text);
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(`${JSON.stringify(answer.json ?? {})}\n`);
}

// --- unauthenticated probes and metrics ---------------------------------------------------------

async function readiness(deps: AdminApiDeps): Promise<Answer> {
  const reasons: string[] = [];
  const phase = deps.phase();
  if (phase !== 'running') reasons.push(`the gateway is ${phase}`);
  if (deps.engine.revision === null) reasons.push('no policy revision is active');
  const audit = await deps.recorder.probe();
  if (!audit.ok)
    reasons.push(
      `the audit trail cannot take records since ${audit.failedSince}: ${audit.lastError ?? 'unknown error'}`,
    );
  if (reasons.length > 0) return { status: 503, json: { status: 'not ready', reasons } };
  return { status: 200, json: { status: 'ready', policy: { revision: deps.engine.revision } } };
}

async function metrics(req: IncomingMessage, res: ServerResponse, deps: AdminApiDeps): Promise<void> {
  if (!deps.metricsPublic) {
    // Scrapes are authorized like any call but not written to the audit trail: a scrape every few
    // seconds would bury the records that matter.
    const token = bearer(req.headers.authorization);
    if (token === undefined)
      return send(
        res,
        deps,
        errorAnswer(
          401,
          'ERR_ADMIN_UNAUTHENTICATED',
          'send your OIDC token as Authorization: Bearer <token>, or set admin.metrics_public',
        ),
      );
    let identity: Identity;
    try {
      identity = await deps.authenticate(token);
    } catch (err) {
      return send(
        res,
        deps,
        errorAnswer(401, 'ERR_ADMIN_UNAUTHENTICATED', `the token was refused: ${(err as Error)?.message}`),
      );
    }
    const auth = deps.engine.authorizeAdmin({ identity, operation: 'metrics.read' });
    if (!auth.allowed) return send(res, deps, errorAnswer(403, 'ERR_ADMIN_FORBIDDEN', auth.reason));
  }
  send(res, deps, {
    status: 200,
    text: deps.metrics.render(),
    type: 'text/plain; version=0.0.4; charset=utf-8',
  });
}

// --- operations -----------------------------------------------------------------------------------

async function policyInfo(_call: Call, deps: AdminApiDeps): Promise<Answer> {
  return {
    status: 200,
    json: {
      revision: deps.engine.revision,
      entrypoint: deps.engine.entrypoint,
      activated_at: deps.activatedAt() ?? null,
      metrics: deps.engine.metrics(),
    },
  };
}

function knownParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const key of query.keys())
    if (!allowed.includes(key))
      throw new ApiError(
        400,
        'ERR_ADMIN_BAD_REQUEST',
        `unknown query parameter ${JSON.stringify(key)}: the parameters are ${allowed.join(', ')}`,
      );
}

function intParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max)
    throw new ApiError(
      400,
      'ERR_ADMIN_BAD_REQUEST',
      `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`,
    );
  return n;
}

async function listApprovals(call: Call, deps: AdminApiDeps): Promise<Answer> {
  knownParams(call.query, ['state', 'limit', 'mine']);
  const state = call.query.get('state') ?? 'all';
  if (state !== 'all' && !(REQUEST_STATES as readonly string[]).includes(state))
    throw new ApiError(
      400,
      'ERR_ADMIN_BAD_REQUEST',
      `state must be one of ${[...REQUEST_STATES, 'all'].join(', ')}, not ${JSON.stringify(state)}`,
    );
  const mine = call.query.get('mine');
  if (mine !== null && mine !== 'true' && mine !== 'false')
    throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', 'mine must be true or false');
  const options: { state?: RequestState; limit?: number; approver?: Identity } = {};
  if (state !== 'all') options.state = state as RequestState;
  const limit = intParam(call.query, 'limit', 1, 1000);
  if (limit !== undefined) options.limit = limit;
  if (mine === 'true') options.approver = call.identity;
  const approvals = await deps.approvals.list(options);
  return { status: 200, json: { approvals } };
}

function approvalId(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id))
    throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', `${JSON.stringify(id)} is not an approval id (apr_…)`);
  return id;
}

async function getApproval(call: Call, deps: AdminApiDeps): Promise<Answer> {
  knownParams(call.query, []);
  const id = approvalId(call.params[0] ?? '');
  const request = await deps.approvals.get(id);
  if (!request) throw new ApiError(404, 'ERR_APPROVAL_NOT_FOUND', `no approval request has the id ${id}`);
  return { status: 200, json: request, detail: { approval: id } };
}

async function vote(call: Call, deps: AdminApiDeps): Promise<Answer> {
  knownParams(call.query, []);
  const id = approvalId(call.params[0] ?? '');
  const kind = call.params[1] as 'approve' | 'deny';
  const body = call.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
    throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', 'the body must be a JSON object: {"reason": "..."}');
  const b = (body ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(b))
    if (key !== 'reason')
      throw new ApiError(
        400,
        'ERR_ADMIN_BAD_REQUEST',
        `unknown field ${JSON.stringify(key)}: the body is {"reason": "..."}`,
      );
  if (b.reason !== undefined && typeof b.reason !== 'string')
    throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', 'reason must be a string');
  const reason = b.reason as string | undefined;
  if (kind === 'deny' && (reason === undefined || reason.trim() === ''))
    throw new ApiError(
      400,
      'ERR_APPROVAL_INVALID_VOTE',
      'a deny needs a reason, for the requester and the audit trail: {"reason": "..."}',
    );
  const after =
    kind === 'approve'
      ? await deps.approvals.approve(id, call.identity, reason)
      : await deps.approvals.deny(id, call.identity, reason ?? '');
  return { status: 200, json: after, detail: { approval: id, vote: kind } };
}

const SEARCH_PARAMS = [
  'identity',
  'group',
  'target',
  'kind',
  'type',
  'effect',
  'outcome',
  'session',
  'since',
  'until',
  'q',
  'cursor',
  'limit',
  'instance',
  'order',
] as const;

async function searchRecords(call: Call, deps: AdminApiDeps): Promise<Answer> {
  const q = call.query;
  knownParams(q, SEARCH_PARAMS);
  const query: SearchQuery = {};
  for (const key of [
    'identity',
    'group',
    'target',
    'kind',
    'session',
    'since',
    'until',
    'cursor',
    'instance',
  ] as const) {
    const v = q.get(key);
    if (v !== null) query[key] = v;
  }
  const text = q.get('q');
  if (text !== null) query.text = text;
  const type = q.get('type');
  if (type !== null) {
    if (!(EVENT_TYPES as readonly string[]).includes(type))
      throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', `type must be one of ${EVENT_TYPES.join(', ')}`);
    query.type = type as EventType;
  }
  const effect = q.get('effect');
  if (effect !== null) {
    if (!(EFFECTS as readonly string[]).includes(effect))
      throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', `effect must be one of ${EFFECTS.join(', ')}`);
    query.effect = effect as SearchQuery['effect'] & string;
  }
  const outcome = q.get('outcome');
  if (outcome !== null) {
    if (!(OUTCOMES as readonly string[]).includes(outcome))
      throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', `outcome must be one of ${OUTCOMES.join(', ')}`);
    query.outcome = outcome as Outcome;
  }
  const order = q.get('order');
  if (order !== null) {
    if (order !== 'asc' && order !== 'desc')
      throw new ApiError(400, 'ERR_ADMIN_BAD_REQUEST', 'order must be asc or desc');
    query.order = order;
  }
  for (const key of ['since', 'until'] as const) {
    const v = query[key];
    if (v !== undefined && Number.isNaN(Date.parse(v)))
      throw new ApiError(
        400,
        'ERR_ADMIN_BAD_REQUEST',
        `${key} must be an RFC 3339 time, not ${JSON.stringify(v)}`,
      );
  }
  const limit = intParam(q, 'limit', 1, 1000);
  if (limit !== undefined) query.limit = limit;
  const page = await deps.store.search(query);
  const records = page.records.map(recordOf);
  return { status: 200, json: page.next ? { records, next: page.next } : { records } };
}

async function exportSession(call: Call, deps: AdminApiDeps): Promise<Answer> {
  knownParams(call.query, ['format']);
  const id = call.params[0] ?? '';
  const format = call.query.get('format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'asciicast' && format !== 'transcript')
    throw new ApiError(
      400,
      'ERR_ADMIN_BAD_REQUEST',
      `format must be jsonl, asciicast or transcript, not ${JSON.stringify(format)}`,
    );
  const records = await sessionRecords(deps.store, id);
  const detail = { session: id, format };
  if (format === 'asciicast')
    return { status: 200, text: asciicast(records), type: 'application/x-asciicast', detail };
  if (format === 'transcript')
    return { status: 200, text: transcript(records), type: 'text/plain; charset=utf-8', detail };
  return {
    status: 200,
    text: records.map((r) => `${JSON.stringify(r)}\n`).join(''),
    type: 'application/x-ndjson',
    detail,
  };
}
