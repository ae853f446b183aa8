/**
 * One request (or WebSocket upgrade) on its way through the adapter: what is known about it so far,
 * and how to answer it. Filled step by step by handle-request.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Action, Decision, SessionInfo } from '@regate/action';
import type { BodyPrefix } from './body.js';
import type { Reply } from './reply.js';
import type { RequestTarget } from './request-target.js';
import type { CompiledRoute } from './routes.js';
import type { Tracked } from './tracker.js';

export interface Exchange extends Tracked {
  readonly kind: 'web' | 'ws';
  readonly req: IncomingMessage;
  /** The response (web only). */
  readonly res: ServerResponse | undefined;
  /** The client connection: the upgrade socket for `ws`, the request's socket for `web`. */
  readonly socket: Duplex;
  /** The first bytes after an upgrade request (ws only). */
  readonly head: Buffer | undefined;
  readonly reply: Reply;
  /** When the request arrived (performance.now()), for the logged duration. */
  readonly startedAt: number;
  /** The Action id, once the request got one. */
  id: string | undefined;
  target: RequestTarget | undefined;
  route: CompiledRoute | undefined;
  session: SessionInfo | undefined;
  action: Action | undefined;
  decision: Decision | undefined;
  /** Whether the request announced a body (taken before its headers are rewritten for the upstream). */
  readonly hasBody: boolean;
  prefix: BodyPrefix;
  /** The client asked for 100-continue and has not been told to go on yet. */
  expectContinue: boolean;
  /** The client went away. */
  gone: boolean;
  /** Set while held for an approval: ends the hold (client gone, timeout, shutdown). */
  abortHold: ((reason: HoldEnd) => void) | undefined;
  /** Set once forwarding began: a shutdown then fails the upstream exchange instead. */
  onShutdown: (() => void) | undefined;
}

export type HoldEnd = 'client' | 'timeout' | 'shutdown';

/** The socket under a request, as the server created it. */
export function connectionSocket(ex: Exchange): Socket {
  return ex.req.socket;
}

/** Tells a client that asked for 100-continue to send its body (RFC 9110 §10.1.1). */
export function letBodyCome(ex: Exchange): void {
  if (!ex.expectContinue || ex.res === undefined) return;
  ex.expectContinue = false;
  if (!ex.res.headersSent) ex.res.writeContinue();
}
