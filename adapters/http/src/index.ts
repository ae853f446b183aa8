export type { HttpAdapter } from './adapter.js';
export { createHttpAdapter, DEFAULT_GRACE_MS } from './adapter.js';
export type { HttpErrorCode } from './errors.js';
export { HTTP_ERRORS, HttpAdapterError } from './errors.js';
export { APPROVAL_HEADER, REQUEST_ID_HEADER } from './headers.js';
export type { HttpAdapterLimits, HttpAdapterOptions, HttpRoute } from './options.js';
export { DEFAULT_HOLD_TIMEOUT_MS, DEFAULT_LIMITS } from './options.js';
export type { ActionBase, HttpRequestParts } from './request-to-action.js';
export { requestToAction, sessionOpenAction } from './request-to-action.js';
