import { GatewayError } from '@regate/action';

/**
 * Every refusal the HTTP adapter answers, with its HTTP status and what it means. README.md lists the
 * same table (a test keeps the two in sync). A refusal's JSON body is `{ error, code, request_id }` plus
 * fields named in the README. 401 bodies carry the identity provider's code instead (ERR_TOKEN_...).
 */
export const HTTP_ERRORS = {
  ERR_HTTP_BAD_REQUEST: {
    status: 400,
    meaning: 'the request is not valid HTTP or its request target is malformed',
  },
  ERR_HTTP_UNAUTHENTICATED: {
    status: 401,
    meaning: 'the bearer token was refused and the identity provider gave no code of its own',
  },
  ERR_HTTP_BLOCKED: { status: 403, meaning: 'the policy blocked the request; `reasons` says why' },
  ERR_HTTP_SESSION_BLOCKED: {
    status: 403,
    meaning: 'the policy refused to open a session for this identity on this target (`session.open`)',
  },
  ERR_HTTP_APPROVAL_DENIED: {
    status: 403,
    meaning: 'an approver denied the request, or the approval was cancelled',
  },
  ERR_HTTP_APPROVAL_EXPIRED: {
    status: 403,
    meaning: 'nobody approved the request in time (approval expired or the hold timed out)',
  },
  ERR_HTTP_APPROVAL_UNKNOWN: { status: 403, meaning: 'the Regate-Approval header names no approval request' },
  ERR_HTTP_APPROVAL_NOT_YOURS: { status: 403, meaning: 'the approval was requested by another identity' },
  ERR_HTTP_APPROVAL_MISMATCH: {
    status: 403,
    meaning: 'the retried request differs from the approved one (method, target, path, query or body)',
  },
  ERR_HTTP_APPROVAL_USED: {
    status: 403,
    meaning: 'the approval was already used: each approval forwards one request',
  },
  ERR_HTTP_WEBSOCKET_UNMASKABLE: {
    status: 403,
    meaning: 'the decision masks data, and WebSocket messages cannot be masked',
  },
  ERR_HTTP_NO_ROUTE: { status: 404, meaning: 'no route matches the request’s host and path' },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    meaning: 'the request headers or body did not arrive within headersTimeoutMs / requestTimeoutMs',
  },
  ERR_HTTP_APPROVAL_ELSEWHERE: {
    status: 409,
    meaning: 'the approval was requested through another gateway instance; retry there',
  },
  ERR_HTTP_BODY_TOO_LARGE: { status: 413, meaning: 'the request body is larger than maxBodyBytes' },
  ERR_HTTP_HEADERS_TOO_LARGE: { status: 431, meaning: 'the request headers are larger than maxHeaderBytes' },
  ERR_HTTP_INTERNAL: {
    status: 500,
    meaning: 'the gateway failed on the request (a bug); it was not forwarded',
  },
  ERR_HTTP_MASK_RULES: {
    status: 500,
    meaning: 'the decision’s mask rules do not compile; the request is refused',
  },
  ERR_HTTP_UNMASKABLE: {
    status: 502,
    meaning:
      'the response must be masked but cannot be: not JSON or text, an unknown encoding or charset, or invalid JSON',
  },
  ERR_HTTP_RESPONSE_TOO_LARGE: {
    status: 502,
    meaning: 'a response to be masked is larger than maxMaskedBodyBytes',
  },
  ERR_HTTP_UPSTREAM_UNAVAILABLE: { status: 502, meaning: 'the upstream refused or reset the connection' },
  ERR_HTTP_AUDIT_UNAVAILABLE: {
    status: 503,
    meaning: 'the audit trail cannot record the request, so it is not forwarded',
  },
  ERR_HTTP_APPROVAL_UNAVAILABLE: {
    status: 503,
    meaning: 'the approval store cannot open or follow the request',
  },
  ERR_HTTP_SHUTTING_DOWN: { status: 503, meaning: 'the gateway is shutting down; retry on another instance' },
  ERR_HTTP_UPSTREAM_TIMEOUT: { status: 504, meaning: 'the upstream did not answer within upstreamTimeoutMs' },
  ERR_HTTP_INVALID_OPTIONS: {
    status: 500,
    meaning: 'createHttpAdapter was given invalid options (thrown at start, never answered)',
  },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** The status a refusal with `code` is answered with. */
export function statusOf(code: HttpErrorCode): number {
  return HTTP_ERRORS[code].status;
}

/** An error raised by `@regate/adapter-http`; `code` is one of HTTP_ERRORS. */
export class HttpAdapterError extends GatewayError {
  declare readonly code: HttpErrorCode;

  constructor(code: HttpErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpAdapterError';
  }

  get status(): number {
    return statusOf(this.code);
  }
}
