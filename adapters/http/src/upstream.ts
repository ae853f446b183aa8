/**
 * The upstream side: http-proxy with one keep-alive Agent per upstream origin. Forwards a decided
 * request (web or WebSocket) with the exact path the policy decided on, passes responses through
 * unbuffered, or buffers, decodes and masks them under a mask decision. Upstream failures become
 * 502/504 answers (or a cut connection once the answer started); nothing here throws into the server.
 */
import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { AdapterLogger } from '@regate/action';
import type { Masker } from '@regate/mask';
import httpProxy from 'http-proxy';
import type { BodyLimit } from './body.js';
import { parseMediaType } from './content-type.js';
import { collect, contentCodings, decodeContent } from './decode.js';
import { HttpAdapterError, type HttpErrorCode, statusOf } from './errors.js';
import type { Exchange } from './exchange.js';
import { REQUEST_ID_HEADER, responseHeaders } from './headers.js';
import { maskBody, unmaskableType } from './mask-response.js';
import type { ResolvedLimits } from './options.js';
import type { CompiledRoute } from './routes.js';

export interface ForwardRequest {
  ex: Exchange;
  route: CompiledRoute;
  /** The path and query sent upstream, byte for byte. */
  path: string;
  /** Present when the response must be masked. */
  masker: Masker | undefined;
  /** The request body (web only). */
  body: BodyLimit | undefined;
  /** The body grew past maxBodyBytes after forwarding began: the upstream request was aborted. */
  onBodyTooLarge(): void;
}

interface InFlight {
  f: ForwardRequest;
  proxyReq: ClientRequest | undefined;
  /** Why the exchange failed, once it did (the first failure wins). */
  failure: HttpAdapterError | undefined;
  responseBytes: number;
  status: number | undefined;
  upgraded: boolean;
  /** The upstream side of an upgraded WebSocket connection. */
  proxySocket: Duplex | undefined;
}

/** Response headers that describe the unmasked representation and are wrong for a masked one. */
const REPRESENTATION_HEADERS = [
  'content-length',
  'content-encoding',
  'etag',
  'content-md5',
  'digest',
  'content-range',
  'accept-ranges',
];

export class Upstream {
  private readonly proxy: httpProxy;
  private readonly agents = new Map<string, http.Agent>();
  private readonly inflight = new WeakMap<IncomingMessage, InFlight>();
  /** WebSocket connections under way, closed with the adapter. */
  private readonly tunnels = new Set<InFlight>();

  constructor(
    private readonly limits: ResolvedLimits,
    private readonly logger: AdapterLogger,
  ) {
    this.proxy = httpProxy.createProxyServer({});
    // Errors come to the per-request callbacks; these listeners only keep stray events from throwing.
    this.proxy.on('error', (err) => this.logger.warn('http proxy error', { error: err.message }));
    this.proxy.on('econnreset', () => {});
    this.proxy.on('proxyReq', (proxyReq, req) => this.onProxyReq(proxyReq, req));
    this.proxy.on('proxyReqWs', (proxyReq, req) => this.onProxyReq(proxyReq, req));
    this.proxy.on('proxyRes', (proxyRes, req, res) => this.onProxyRes(proxyRes, req, res));
    this.proxy.on('open', (proxySocket) => proxySocket.on('error', () => {}));
  }

  /** Forwards a decided web request. */
  web(f: ForwardRequest): void {
    const { ex } = f;
    const res = ex.res!;
    const fl = this.track(f);
    f.body?.on('error', (err) => {
      ex.req.unpipe(f.body!);
      this.fail(fl, asAdapterError(err, 'ERR_HTTP_BODY_TOO_LARGE'));
    });
    if (f.body?.failure !== undefined) {
      this.fail(fl, f.body.failure);
      return;
    }
    res.on('close', () => {
      // The client went away before the answer ended: stop the upstream request too.
      if (!res.writableFinished) fl.proxyReq?.destroy();
      this.logDone(fl);
    });
    this.proxy.web(ex.req, res, this.proxyOptions(f), (err) => this.fail(fl, this.classify(fl, err)));
  }

  /** Forwards a decided WebSocket upgrade. */
  ws(f: ForwardRequest): void {
    const { ex } = f;
    const fl = this.track(f);
    ex.socket.on('close', () => {
      // Neither side is left half-open: the client is gone, so is the upstream connection.
      fl.proxySocket?.destroy();
      this.tunnels.delete(fl);
      this.logDone(fl);
    });
    this.tunnels.add(fl);
    this.proxy.ws(ex.req, ex.socket, ex.head, this.proxyOptions(f), (err) =>
      this.fail(fl, this.classify(fl, err)),
    );
  }

  /** Closes idle upstream connections and refuses new ones. */
  close(): void {
    for (const t of this.tunnels) {
      t.proxySocket?.destroy();
      t.f.ex.socket.destroy();
    }
    this.tunnels.clear();
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
    this.proxy.close();
  }

  private track(f: ForwardRequest): InFlight {
    const fl: InFlight = {
      f,
      proxyReq: undefined,
      failure: undefined,
      responseBytes: 0,
      status: undefined,
      upgraded: false,
      proxySocket: undefined,
    };
    this.inflight.set(f.ex.req, fl);
    f.ex.onShutdown = () =>
      this.fail(fl, new HttpAdapterError('ERR_HTTP_SHUTTING_DOWN', 'the gateway is shutting down'));
    return fl;
  }

  private agent(route: CompiledRoute): http.Agent {
    const origin = route.upstream.origin;
    let a = this.agents.get(origin);
    if (a === undefined) {
      a =
        route.upstream.protocol === 'https:'
          ? new https.Agent({ keepAlive: true, scheduling: 'lifo' })
          : new http.Agent({ keepAlive: true, scheduling: 'lifo' });
      this.agents.set(origin, a);
    }
    return a;
  }

  private proxyOptions(f: ForwardRequest): httpProxy.ServerOptions {
    return {
      target: f.route.upstream.origin,
      agent: this.agent(f.route),
      changeOrigin: true,
      // The path is set on the outgoing request as decided (onProxyReq); http-proxy's own joining would
      // collapse `//` and rewrite `http:/`, so it gets the raw path and no base to join.
      toProxy: true,
      prependPath: false,
      xfwd: false,
      selfHandleResponse: true,
      ...(f.body === undefined ? {} : { buffer: f.body }),
    };
  }

  private onProxyReq(proxyReq: ClientRequest, req: IncomingMessage): void {
    const fl = this.inflight.get(req);
    if (fl === undefined) {
      proxyReq.destroy();
      return;
    }
    fl.proxyReq = proxyReq;
    // Set before the request head is written: http-proxy emits this on 'socket', ahead of any body.
    proxyReq.path = fl.f.path;
    if (fl.failure !== undefined) {
      proxyReq.destroy(fl.failure);
      return;
    }
    proxyReq.setTimeout(this.limits.upstreamTimeoutMs, () => {
      proxyReq.destroy(
        new HttpAdapterError(
          'ERR_HTTP_UPSTREAM_TIMEOUT',
          `the upstream ${fl.f.route.route.target.name} did not answer within ${this.limits.upstreamTimeoutMs} ms`,
        ),
      );
    });
    if (fl.f.ex.kind === 'ws') {
      // http-proxy answers the client itself from here on (101, or the upstream's refusal).
      const answered = (): void => {
        fl.upgraded = true;
      };
      proxyReq.on('upgrade', (_res: IncomingMessage, proxySocket: Duplex) => {
        answered();
        fl.proxySocket = proxySocket;
        if (fl.f.ex.socket.destroyed) proxySocket.destroy();
      });
      proxyReq.on('response', answered);
    }
  }

  private onProxyRes(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void {
    proxyRes.on('error', () => {});
    const fl = this.inflight.get(req);
    if (fl === undefined || fl.failure !== undefined || res.destroyed) {
      proxyRes.destroy();
      return;
    }
    fl.status = proxyRes.statusCode;
    if (fl.f.masker === undefined) this.passThrough(fl, proxyRes, res);
    else void this.masked(fl, fl.f.masker, proxyRes, res);
  }

  private passThrough(fl: InFlight, proxyRes: IncomingMessage, res: ServerResponse): void {
    const headers = responseHeaders(proxyRes.headers);
    headers[REQUEST_ID_HEADER] = fl.f.ex.id;
    res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, headers);
    // No buffering: each chunk goes on as it arrives (streams, server-sent events, downloads).
    res.flushHeaders();
    proxyRes.on('data', (chunk: Buffer) => {
      fl.responseBytes += chunk.length;
    });
    proxyRes.on('close', () => {
      // The upstream cut its answer short: cut the client's too, so it does not take a part for the whole.
      if (!proxyRes.complete) res.destroy();
    });
    proxyRes.pipe(res);
  }

  private async masked(
    fl: InFlight,
    masker: Masker,
    proxyRes: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const { ex } = fl.f;
    const status = proxyRes.statusCode ?? 502;
    const headers = responseHeaders(proxyRes.headers);
    for (const h of REPRESENTATION_HEADERS) delete headers[h];
    headers[REQUEST_ID_HEADER] = ex.id;
    const limit = this.limits.maxMaskedBodyBytes;
    if (ex.req.method === 'HEAD' || status === 204 || status === 304) {
      proxyRes.resume();
      res.writeHead(status, proxyRes.statusMessage, headers);
      res.end();
      return;
    }
    const type = parseMediaType(proxyRes.headers['content-type']);
    try {
      const length = Number(proxyRes.headers['content-length'] ?? Number.NaN);
      if (length === 0) {
        proxyRes.resume();
        res.writeHead(status, proxyRes.statusMessage, { ...headers, 'content-length': 0 });
        res.end();
        return;
      }
      // Refused before reading: a body that cannot be masked is never buffered.
      const refusal = unmaskableType(type);
      if (refusal !== undefined) throw refusal;
      if (length > limit) {
        throw new HttpAdapterError(
          'ERR_HTTP_RESPONSE_TOO_LARGE',
          `the response must be masked and is ${length} bytes`,
        );
      }
      const raw = await collect(proxyRes, limit);
      const decoded = await decodeContent(
        raw,
        contentCodings(headerString(proxyRes.headers['content-encoding'])),
        limit,
      );
      const masked =
        decoded.length === 0 ? { body: decoded, contentType: undefined } : maskBody(masker, type, decoded);
      if (res.destroyed) return;
      if (masked.contentType !== undefined) headers['content-type'] = masked.contentType;
      headers['content-length'] = masked.body.length;
      fl.responseBytes = masked.body.length;
      res.writeHead(status, proxyRes.statusMessage, headers);
      res.end(masked.body);
    } catch (err) {
      proxyRes.destroy();
      this.fail(fl, asAdapterError(err, 'ERR_HTTP_UNMASKABLE'));
    }
  }

  /** What an error from http-proxy means for the client. */
  private classify(fl: InFlight, err: Error): HttpAdapterError {
    if (err instanceof HttpAdapterError) return err;
    if (fl.f.body?.failure !== undefined) return fl.f.body.failure;
    return new HttpAdapterError(
      'ERR_HTTP_UPSTREAM_UNAVAILABLE',
      `the upstream ${fl.f.route.route.target.name} is unreachable or reset the connection (${(err as { code?: string }).code ?? err.message})`,
      { cause: err },
    );
  }

  private fail(fl: InFlight, err: HttpAdapterError): void {
    if (fl.failure !== undefined) return;
    fl.failure = err;
    const { ex } = fl.f;
    fl.proxyReq?.destroy();
    if (err.code === 'ERR_HTTP_BODY_TOO_LARGE') fl.f.onBodyTooLarge();
    const log = {
      request_id: ex.id,
      target: fl.f.route.route.target.name,
      code: err.code,
      error: err.message,
    };
    if (ex.reply.started || fl.upgraded) {
      // The answer is under way: all that is left is to cut it, so the client sees it incomplete.
      this.logger.warn('http upstream failed after the answer started', log);
      ex.reply.abort();
      return;
    }
    this.logger.warn('http upstream failed', log);
    fl.status = statusOf(err.code);
    ex.reply.json(
      statusOf(err.code),
      { error: err.message, code: err.code, request_id: ex.id },
      { close: ex.hasBody && !ex.req.readableEnded },
    );
  }

  private logDone(fl: InFlight): void {
    const { ex } = fl.f;
    this.logger.info('http request done', {
      request_id: ex.id,
      target: fl.f.route.route.target.name,
      method: ex.req.method,
      path: ex.target?.path,
      status: fl.status,
      bytes: fl.responseBytes,
      duration_ms: Math.round(performance.now() - ex.startedAt),
      ...(fl.failure === undefined ? {} : { code: fl.failure.code }),
    });
  }
}

function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

function asAdapterError(err: unknown, fallback: HttpErrorCode): HttpAdapterError {
  if (err instanceof HttpAdapterError) return err;
  return new HttpAdapterError(fallback, err instanceof Error ? err.message : String(err), { cause: err });
}
