/**
 * `createHttpAdapter(options, ctx)`: the HTTP(S) listener. It owns the server and its limits (header
 * size, header and request timeouts), turns Node's parser errors into 400/408/431 answers, starts one
 * exchange per request or WebSocket upgrade (handle-request.ts), and shuts down gracefully.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AdapterContext } from '@regate/action';
import { AsyncApprovals } from './async-approvals.js';
import { hasBody } from './body.js';
import { HTTP_ERRORS, type HttpErrorCode } from './errors.js';
import type { Exchange } from './exchange.js';
import { handleExchange } from './handle-request.js';
import { type HttpAdapterOptions, resolveOptions } from './options.js';
import { refuse } from './outcomes.js';
import { responseReply, socketReply, writeRawError } from './reply.js';
import { RouteTable } from './routes.js';
import type { Runtime } from './runtime.js';
import { SessionRegistry } from './sessions.js';
import { Tracker } from './tracker.js';
import { Upstream } from './upstream.js';

export interface HttpAdapter {
  readonly server: http.Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stop accepting; let in-flight and held requests finish within graceMs, then fail them cleanly (503). */
  close(options?: { graceMs?: number }): Promise<void>;
  stats(): { activeRequests: number; heldRequests: number; activeSessions: number };
}

export const DEFAULT_GRACE_MS = 10_000;

/** How long failed exchanges get, after the grace period, to record and send their 503. */
const SHUTDOWN_FLUSH_MS = 5_000;

export function createHttpAdapter(options: HttpAdapterOptions, ctx: AdapterContext): HttpAdapter {
  const opts = resolveOptions(options);
  const routes = new RouteTable(opts.routes);
  const tracker = new Tracker();
  const pendingRecords = new Set<Promise<void>>();
  const sessions = new SessionRegistry(
    () => ctx.newId(),
    (s) => {
      const p = ctx
        .record({
          type: 'session.end',
          session: s.id,
          identity: s.identity,
          target: s.target,
          reason: 'connection closed',
        })
        .catch((err: unknown) =>
          ctx.logger.error('http session.end could not be recorded', {
            session: s.id,
            error: err instanceof Error ? err.message : String(err),
          }),
        )
        .finally(() => pendingRecords.delete(p));
      pendingRecords.add(p);
    },
  );
  const upstream = new Upstream(opts.limits, ctx.logger);
  const rt: Runtime = {
    ctx,
    opts,
    routes,
    sessions,
    approvals: new AsyncApprovals(() => ctx.clock().getTime()),
    upstream,
    tracker,
  };

  const limits = opts.limits;
  const serverOptions: http.ServerOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks both timeouts on this interval (30 s by default): short timeouts need a shorter one.
    connectionsCheckingInterval: Math.max(25, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
  const server: http.Server =
    opts.tls === undefined
      ? http.createServer(serverOptions)
      : https.createServer({ ...serverOptions, cert: opts.tls.cert, key: opts.tls.key });

  const newExchange = (
    kind: 'web' | 'ws',
    req: IncomingMessage,
    res: ServerResponse | undefined,
    socket: Duplex,
    head: Buffer | undefined,
    expectContinue: boolean,
  ): Exchange => {
    const ex: Exchange = {
      kind,
      req,
      res,
      socket,
      head,
      reply: res === undefined ? socketReply(socket, () => ex.id) : responseReply(res, () => ex.id),
      startedAt: performance.now(),
      id: undefined,
      target: undefined,
      route: undefined,
      session: undefined,
      action: undefined,
      decision: undefined,
      hasBody: kind === 'web' && hasBody(req),
      prefix: { chunks: [], bytes: 0, complete: kind === 'ws' || !hasBody(req) },
      expectContinue,
      gone: false,
      abortHold: undefined,
      onShutdown: undefined,
      shutdown() {
        if (ex.abortHold !== undefined) ex.abortHold('shutdown');
        else if (ex.onShutdown !== undefined) ex.onShutdown();
        else {
          // Still authenticating or deciding: answer now and let the flow find the client gone.
          ex.gone = true;
          if (ex.reply.started) ex.reply.abort();
          else refuse(ex, 'ERR_HTTP_SHUTTING_DOWN', 'the gateway is shutting down; send the request again');
        }
      },
    };
    return ex;
  };

  const start = (
    ex: Exchange,
    closed: { on(event: 'close', f: () => void): unknown },
    finished: () => boolean,
  ) => {
    tracker.add(ex);
    closed.on('close', () => {
      if (!finished()) {
        ex.gone = true;
        ex.abortHold?.('client');
      }
      tracker.done(ex);
    });
    void handleExchange(rt, ex);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
    req.on('error', () => {});
    const ex = newExchange('web', req, res, req.socket, undefined, expectContinue);
    start(ex, res, () => res.writableFinished);
  };
  server.on('request', (req, res) => onRequest(req, res, false));
  // Handling 100-continue ourselves: a body that will be refused (too large, no token) is never sent.
  server.on('checkContinue', (req, res) => onRequest(req, res, true));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const ex = newExchange('ws', req, undefined, socket, head, false);
    start(ex, socket, () => false);
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [errorCode, message]: [HttpErrorCode, string] =
      code === 'HPE_HEADER_OVERFLOW'
        ? ['ERR_HTTP_HEADERS_TOO_LARGE', `the request headers are larger than ${limits.maxHeaderBytes} bytes`]
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['ERR_HTTP_REQUEST_TIMEOUT', 'the request did not arrive in time']
          : ['ERR_HTTP_BAD_REQUEST', `the request is not valid HTTP (${code || err.message})`];
    // The raw packet may hold a token: only the code and the peer are logged.
    ctx.logger.warn('http client error', {
      code,
      answer: errorCode,
      remote: (socket as { remoteAddress?: string }).remoteAddress,
    });
    const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (pending?.headersSent === true) {
      socket.destroy();
      return;
    }
    writeRawError(socket, HTTP_ERRORS[errorCode].status, { error: message, code: errorCode });
  });
  server.on('tlsClientError', (err: Error, socket: Duplex) => {
    ctx.logger.warn('https handshake failed', { error: err.message });
    socket.destroy();
  });

  let closing: Promise<void> | undefined;
  const close = async (graceMs: number): Promise<void> => {
    tracker.closing = true;
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await within(tracker.idle(), graceMs);
    for (const t of [...tracker.active]) t.shutdown();
    await within(tracker.idle(), SHUTDOWN_FLUSH_MS);
    server.closeAllConnections();
    for (const t of [...tracker.active]) (t as Exchange).socket.destroy();
    upstream.close();
    await serverClosed;
    await Promise.allSettled([...pendingRecords]);
  };

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close(o) {
      closing ??= close(o?.graceMs ?? DEFAULT_GRACE_MS);
      return closing;
    },
    stats() {
      return {
        activeRequests: tracker.active.size,
        heldRequests: tracker.held.size,
        activeSessions: sessions.activeSessions,
      };
    },
  };
}

/** Waits for `p`, at most `ms`. */
async function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
