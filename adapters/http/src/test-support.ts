/**
 * Shared by this package's tests (not built): an in-memory AdapterContext, a real upstream server, an
 * adapter on port 0, and clients that speak raw bytes or run curl.
 */
import { execFile } from 'node:child_process';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type {
  Action,
  AdapterContext,
  AdapterEvent,
  AdapterLogger,
  ApprovalResult,
  ApprovalStatus,
  Decision,
  HeldApproval,
  Identity,
  MaskRule,
} from '@regate/action';
import { createHttpAdapter, type HttpAdapter } from './adapter.js';
import type { HttpAdapterOptions, HttpRoute } from './options.js';

export const HASH_KEY = Buffer.alloc(32, 7);

export const ALICE: Identity = {
  subject: 'alice',
  email: 'alice@example.com',
  groups: ['dev'],
  type: 'user',
};
export const BOB: Identity = { subject: 'bob', groups: ['dev'], type: 'user' };
export const MALLORY: Identity = { subject: 'mallory', groups: [], type: 'user' };

export const TOKENS: Record<string, Identity> = {
  'alice-token': ALICE,
  'bob-token': BOB,
  'mallory-token': MALLORY,
};

export function decision(effect: Decision['effect'], extra: Partial<Decision> = {}): Decision {
  return { effect, reasons: [], mask: [], approvals: [], policy: { revision: 'test-rev' }, ...extra };
}

export const MASK_RULES: MaskRule[] = [
  { field: '**.ssn', strategy: 'redact' },
  { detector: 'credit_card', strategy: 'partial' },
  { detector: 'email', strategy: 'redact' },
];

/** The test policy: by path prefix, and mallory may not open sessions. */
export function testPolicy(action: Action): Decision {
  if (action.kind === 'session.open') {
    return action.identity.subject === 'mallory'
      ? decision('block', { reasons: ['mallory may not connect'] })
      : decision('allow');
  }
  const path = action.http?.path ?? '';
  if (path.startsWith('/blocked')) return decision('block', { reasons: ['no access to /blocked'] });
  if (path.startsWith('/masked')) return decision('mask', { mask: MASK_RULES });
  if (path.startsWith('/approval')) {
    return decision('require_approval', {
      reasons: ['writes need a second person'],
      approvals: [{ approvers: ['group:leads'], reason: 'writes need a second person' }],
    });
  }
  return decision('allow');
}

export interface TestApproval {
  id: string;
  action: Action;
  decision: Decision;
  expiresAt: string;
  state: ApprovalStatus['state'];
  timeoutMs: number | undefined;
  cancelReason: string | undefined;
  /** Ends the approval: the held request's wait() resolves with it. */
  end(result: ApprovalResult): void;
}

export interface TestContext extends AdapterContext {
  events: AdapterEvent[];
  decided: Action[];
  approvals: Map<string, TestApproval>;
  /** Make record() reject (the audit trail is down): always, or for the events that match. */
  failRecords: boolean | ((e: AdapterEvent) => boolean);
  failApprovals: boolean;
  logs: { level: string; message: string; detail?: Record<string, unknown> }[];
  /** Resolves with the first event (already recorded or to come) that matches. */
  waitForEvent(match: (e: AdapterEvent) => boolean): Promise<AdapterEvent>;
  /** Resolves with the next approval requested (or one already requested and not yet taken). */
  nextApproval(): Promise<TestApproval>;
  actionEvents(): Extract<AdapterEvent, { type: 'action' }>[];
}

export function testContext(policy: (action: Action) => Decision = testPolicy): TestContext {
  let n = 0;
  const waiters: { match: (e: AdapterEvent) => boolean; resolve: (e: AdapterEvent) => void }[] = [];
  const untaken: TestApproval[] = [];
  const approvalWaiters: ((a: TestApproval) => void)[] = [];
  const logs: TestContext['logs'] = [];
  const logger: AdapterLogger = {
    debug: (message, detail) => logs.push({ level: 'debug', message, ...(detail ? { detail } : {}) }),
    info: (message, detail) => logs.push({ level: 'info', message, ...(detail ? { detail } : {}) }),
    warn: (message, detail) => logs.push({ level: 'warn', message, ...(detail ? { detail } : {}) }),
    error: (message, detail) => logs.push({ level: 'error', message, ...(detail ? { detail } : {}) }),
  };
  const ctx: TestContext = {
    events: [],
    decided: [],
    approvals: new Map(),
    failRecords: false,
    failApprovals: false,
    logs,
    logger,
    newId: () => `id-${String(++n).padStart(4, '0')}`,
    clock: () => new Date('2026-11-23T10:00:00.000Z'),
    async authenticate(token) {
      const identity = TOKENS[token];
      if (identity === undefined) {
        throw Object.assign(new Error('the token is not valid'), { code: 'ERR_TOKEN_SIGNATURE' });
      }
      return identity;
    },
    decide(action) {
      ctx.decided.push(action);
      return policy(action);
    },
    async record(event) {
      const fail = typeof ctx.failRecords === 'function' ? ctx.failRecords(event) : ctx.failRecords;
      if (fail) throw new Error('audit store is read-only');
      // A copy: the adapter must not be able to change what was recorded.
      const copy = structuredClone(event);
      ctx.events.push(copy);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.match(copy)) waiters.splice(i, 1)[0]!.resolve(copy);
      }
    },
    async requestApproval(action, d, options) {
      if (ctx.failApprovals) throw new Error('approval store unreachable');
      let resolveWait!: (r: ApprovalResult) => void;
      const ended = new Promise<ApprovalResult>((resolve) => (resolveWait = resolve));
      const approval: TestApproval = {
        id: `apr_${String(++n).padStart(4, '0')}`,
        action,
        decision: d,
        expiresAt: '2026-11-23T10:10:00.000Z',
        state: 'pending',
        timeoutMs: options?.timeoutMs,
        cancelReason: undefined,
        end(result) {
          if (approval.state !== 'pending') return;
          approval.state = result.state;
          resolveWait(result);
        },
      };
      ctx.approvals.set(approval.id, approval);
      const waiter = approvalWaiters.shift();
      if (waiter !== undefined) waiter(approval);
      else untaken.push(approval);
      const held: HeldApproval = {
        id: approval.id,
        expiresAt: approval.expiresAt,
        wait: () => ended,
        async cancel(reason) {
          if (approval.state !== 'pending') return;
          approval.cancelReason = reason;
          approval.end({ state: 'cancelled', reason });
        },
      };
      return held;
    },
    async approvalStatus(id) {
      const a = ctx.approvals.get(id);
      if (a === undefined) return undefined;
      return {
        id,
        state: a.state,
        requester: a.action.identity.subject,
        actionId: a.action.id,
        expiresAt: a.expiresAt,
      };
    },
    waitForEvent(match) {
      const found = ctx.events.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    nextApproval() {
      const a = untaken.shift();
      if (a !== undefined) return Promise.resolve(a);
      return new Promise((resolve) => approvalWaiters.push(resolve));
    },
    actionEvents() {
      return ctx.events.filter((e): e is Extract<AdapterEvent, { type: 'action' }> => e.type === 'action');
    },
  };
  return ctx;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface TestUpstream {
  url: string;
  port: number;
  server: http.Server;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A real upstream on port 0. The handler gets the request with its body already read. */
export async function startUpstream(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void = (req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, bytes: body.length }));
  },
  options: { readBody?: boolean } = {},
): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    if (options.readBody === false) {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.alloc(0) });
      handler(req, res, Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestGateway {
  adapter: HttpAdapter;
  port: number;
  url: string;
  close(): Promise<void>;
}

export function route(upstream: string, extra: Partial<HttpRoute> = {}): HttpRoute {
  return {
    target: { name: 'orders-api', type: 'http', labels: { env: 'test' } },
    upstream,
    match: { pathPrefix: '/' },
    headers: { 'x-upstream-key': 'upstream-secret' },
    ...extra,
  };
}

export async function startGateway(
  ctx: AdapterContext,
  options: Partial<HttpAdapterOptions> & { routes: HttpRoute[] },
): Promise<TestGateway> {
  const adapter = createHttpAdapter({ maskHashKey: HASH_KEY, ...options }, ctx);
  const address = await adapter.listen(0, '127.0.0.1');
  return {
    adapter,
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: () => adapter.close({ graceMs: 1000 }),
  };
}

/** Sends raw bytes and resolves with everything the server sent until it closed the connection. */
export function rawExchange(
  port: number,
  data: string | Buffer,
  options: { end?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(data);
    if (options.end === true) socket.end();
  });
}

export interface CurlResult {
  status: number;
  headers: string;
  body: string;
}

/** Runs the real curl; `-i` output split into status, headers and body. */
export function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/curl',
      ['-sS', '-i', '--max-time', '20', ...args],
      { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`curl failed: ${err.message} ${stderr}`));
          return;
        }
        // Skip interim 100 Continue blocks.
        let text = stdout;
        while (/^HTTP\/[\d.]+ 1\d\d/.test(text)) text = text.slice(text.indexOf('\r\n\r\n') + 4);
        const split = text.indexOf('\r\n\r\n');
        const head = text.slice(0, split);
        const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1]);
        resolve({ status, headers: head, body: text.slice(split + 4) });
      },
    );
  });
}

/** A keep-alive client bound to one connection (maxSockets 1), for per-connection behaviour. */
export function oneConnection(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request with node:http through `agent` (a real client that keeps its connection). */
export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    agent?: http.Agent;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // The path goes as written: new URL() would resolve dot segments like %2e%2e.
    const origin = new URL(url);
    const req = http.request(
      {
        hostname: origin.hostname,
        port: origin.port,
        path: url.slice(origin.origin.length),
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
