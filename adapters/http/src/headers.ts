/**
 * Which headers the policy sees, which reach the upstream, and which come back to the client.
 *
 * - The Action never holds a credential: Authorization, Cookie, Set-Cookie, Proxy-Authorization,
 *   X-Api-Key and any header whose name reads as a secret (`isSecretName`: X-Auth-Token, X-Vault-Token…).
 * - The upstream never sees the client's Authorization (it is the gateway's credential, not the
 *   upstream's) nor Proxy-Authorization, nor hop-by-hop headers (RFC 9110 §7.6.1); it gets the
 *   route's injected headers instead. Cookies are forwarded: they belong to the upstream's own sessions.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { isSecretName } from '@regate/mask';

/** Credential headers that never go into an Action. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
]);

/** RFC 9110 §7.6.1 hop-by-hop headers, plus the non-standard ones proxies meet. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Header the client sends back with an approval id (async approvals). */
export const APPROVAL_HEADER = 'regate-approval';
/** Header on every answer: the id of the Action the request became. */
export const REQUEST_ID_HEADER = 'regate-request-id';

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name) || isSecretName(name);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The headers the policy sees: lower-case names, repeated values joined, credentials left out. */
export function actionHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    const v = headerValue(value);
    if (v === undefined || isCredentialHeader(n)) continue;
    out.push([n, v]);
  }
  // fromEntries defines own properties, so a header named __proto__ stays data.
  return Object.fromEntries(out);
}

/** Names a Connection header lists as hop-by-hop for this message. */
function connectionListed(headers: IncomingHttpHeaders): Set<string> {
  const listed = new Set<string>();
  const c = headerValue(headers.connection);
  if (c !== undefined) for (const t of c.split(',')) if (t.trim() !== '') listed.add(t.trim().toLowerCase());
  return listed;
}

export interface ForwardHeaderOptions {
  /** The route's injected headers; they replace what the client sent under those names. */
  inject: Record<string, string> | undefined;
  /** The client's address, appended to X-Forwarded-For. */
  clientAddress: string | undefined;
  /** Keep the client's X-Forwarded-For (a trusted proxy stands in front); otherwise it is replaced. */
  trustForwardedFor: boolean;
  /** The Host the client asked for, passed on as X-Forwarded-Host. */
  host: string | undefined;
  tls: boolean;
  /** A WebSocket upgrade: keep Connection: upgrade and Upgrade. */
  upgrade: boolean;
  /** The response will be masked: ask for the whole representation (no Range). */
  masked: boolean;
}

/** The request headers sent upstream. */
export function forwardHeaders(headers: IncomingHttpHeaders, o: ForwardHeaderOptions): IncomingHttpHeaders {
  const listed = connectionListed(headers);
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const n = name.toLowerCase();
    if (n === 'authorization' || n === 'proxy-authorization' || n === APPROVAL_HEADER) continue;
    // Node already answered 100-continue; the upstream gets the body without waiting.
    if (n === 'expect' || n === 'host') continue;
    if (n.startsWith('x-forwarded-') && !o.trustForwardedFor) continue;
    if (n === 'forwarded' && !o.trustForwardedFor) continue;
    if ((HOP_BY_HOP.has(n) || listed.has(n)) && !(o.upgrade && (n === 'connection' || n === 'upgrade')))
      continue;
    if (o.masked && (n === 'range' || n === 'if-range')) continue;
    setHeader(out, n, value);
  }
  if (o.upgrade) {
    out.connection = 'upgrade';
    out.upgrade = headerValue(headers.upgrade) ?? 'websocket';
  }
  if (o.clientAddress !== undefined) {
    const previous = o.trustForwardedFor ? headerValue(headers['x-forwarded-for']) : undefined;
    out['x-forwarded-for'] = previous ? `${previous}, ${o.clientAddress}` : o.clientAddress;
  }
  if (o.host !== undefined && !(o.trustForwardedFor && headers['x-forwarded-host'] !== undefined)) {
    out['x-forwarded-host'] = o.host;
  }
  if (!(o.trustForwardedFor && headers['x-forwarded-proto'] !== undefined)) {
    out['x-forwarded-proto'] = o.tls ? 'https' : 'http';
  }
  for (const [name, value] of Object.entries(o.inject ?? {})) setHeader(out, name.toLowerCase(), value);
  return out;
}

function setHeader(out: IncomingHttpHeaders, name: string, value: string | string[]): void {
  Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
}

/** The upstream's response headers passed to the client: hop-by-hop headers removed. */
export function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionListed(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const n = name.toLowerCase();
    if (HOP_BY_HOP.has(n) || listed.has(n)) continue;
    Object.defineProperty(out, n, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The bearer token of an Authorization header (RFC 6750 §2.1), or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(h);
  return m?.[1];
}
