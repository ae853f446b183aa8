/**
 * HTTP request → Action (ARCHITECTURE.md, "Contracts"). Pure: the adapter gathers the parts (identity,
 * session, target, the raw request target, headers and, when it buffered one, the body) and this builds
 * the `http.request` Action the policy decides on, or the `session.open` Action of a new session.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Action, HttpPart, Identity, SessionInfo, TargetInfo } from '@regate/action';
import { isJson, parseMediaType } from './content-type.js';
import { HttpAdapterError } from './errors.js';
import { actionHeaders } from './headers.js';
import { DEFAULT_LIMITS } from './options.js';
import { parseQuery, parseRequestTarget } from './request-target.js';

export interface ActionBase {
  id: string;
  /** When the request arrived. */
  time: Date | string;
  identity: Identity;
  session: SessionInfo;
  target: TargetInfo;
}

export interface HttpRequestParts extends ActionBase {
  method: string;
  /** The request target as received (`/path?query`, or absolute-form). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body, when the adapter buffered it (small JSON bodies). */
  body?: Uint8Array | undefined;
  /** Largest body parsed into `http.body` (default 64 KiB). */
  maxActionBodyBytes?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function rfc3339(time: Date | string): string {
  return typeof time === 'string' ? time : time.toISOString();
}

/** The body as the policy sees it, or undefined: only identity-encoded JSON within the limit that parses. */
export function actionBody(
  headers: IncomingHttpHeaders,
  body: Uint8Array | undefined,
  maxBytes: number,
): unknown | undefined {
  if (body === undefined || body.length === 0 || body.length > maxBytes) return undefined;
  if (!isJson(parseMediaType(headers['content-type']))) return undefined;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return undefined;
  try {
    // Invalid UTF-8 or JSON: the policy sees no body (and decides anyway); it never sees a guess.
    return JSON.parse(utf8.decode(body));
  } catch {
    return undefined;
  }
}

export function requestToAction(parts: HttpRequestParts): Action {
  const target = parseRequestTarget(parts.url);
  if (target === undefined) {
    throw new HttpAdapterError(
      'ERR_HTTP_BAD_REQUEST',
      `the request target ${JSON.stringify(parts.url)} is malformed`,
    );
  }
  const http: HttpPart = {
    method: parts.method,
    path: target.path,
    query: parseQuery(target.query),
    headers: actionHeaders(parts.headers),
  };
  const body = actionBody(
    parts.headers,
    parts.body,
    parts.maxActionBodyBytes ?? DEFAULT_LIMITS.maxActionBodyBytes,
  );
  if (body !== undefined) http.body = body;
  return {
    id: parts.id,
    time: rfc3339(parts.time),
    kind: 'http.request',
    protocol: 'http',
    identity: parts.identity,
    session: parts.session,
    target: parts.target,
    http,
  };
}

/** The `session.open` Action decided before the first request of a connection, identity and target. */
export function sessionOpenAction(base: ActionBase): Action {
  return {
    id: base.id,
    time: rfc3339(base.time),
    kind: 'session.open',
    protocol: 'http',
    identity: base.identity,
    session: base.session,
    target: base.target,
  };
}
