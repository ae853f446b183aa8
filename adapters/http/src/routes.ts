/**
 * The route table: which upstream a request goes to. A route matches on host, path prefix or both; among
 * the routes that match, the one with the longest path prefix wins (a host-only route counts as prefix
 * length 0); at equal length a route naming the host beats one that does not; then the first listed.
 */

import { HttpAdapterError } from './errors.js';
import type { HttpRoute } from './options.js';

export interface CompiledRoute {
  readonly route: HttpRoute;
  readonly index: number;
  /** Lower case, without port. */
  readonly host: string | undefined;
  /** Without a trailing slash ('' for '/'). */
  readonly prefix: string | undefined;
  readonly upstream: URL;
  /** The upstream's base path without a trailing slash ('' for none). */
  readonly basePath: string;
}

/** `Host` header (or authority) → lower-case host name without port; IPv6 keeps its brackets. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  const name = colon < 0 ? h : h.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Whether `path` is `prefix` or continues it after a slash (so /api covers /api/x but not /apix). */
function underPrefix(path: string, prefix: string): boolean {
  if (prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

export class RouteTable {
  readonly routes: readonly CompiledRoute[];

  constructor(routes: readonly HttpRoute[]) {
    this.routes = routes.map((route, index) => compileRoute(route, index));
  }

  /** The route for a request, or undefined. `path` is the raw path (no query). */
  match(host: string | undefined, path: string): CompiledRoute | undefined {
    const name = host === undefined ? undefined : hostName(host);
    let best: CompiledRoute | undefined;
    let bestScore = -1;
    for (const r of this.routes) {
      if (r.host !== undefined && r.host !== name) continue;
      if (r.prefix !== undefined && !underPrefix(path, r.prefix)) continue;
      const score = (r.prefix?.length ?? 0) * 2 + (r.host === undefined ? 0 : 1);
      if (score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    return best;
  }
}

/** The path sent upstream: the prefix removed when the route says so, under the upstream's base path. */
export function upstreamPath(route: CompiledRoute, path: string): string {
  let rest = path;
  if (route.route.stripPrefix === true && route.prefix !== undefined && route.prefix !== '') {
    rest = path.slice(route.prefix.length);
    if (rest === '' || !rest.startsWith('/')) rest = `/${rest}`;
  }
  if (route.basePath === '') return rest;
  return rest === '/' ? `${route.basePath}/` : route.basePath + rest;
}

function compileRoute(route: HttpRoute, index: number): CompiledRoute {
  const where = `routes[${index}]`;
  const bad = (message: string): never => {
    throw new HttpAdapterError('ERR_HTTP_INVALID_OPTIONS', `${where}: ${message}`);
  };
  if (route === null || typeof route !== 'object') bad('must be an object');
  const t = route.target;
  if (t === null || typeof t !== 'object' || typeof t.name !== 'string' || t.name === '') {
    bad('target needs a name');
  }
  if (t.type !== 'http') bad(`target.type must be http, not ${JSON.stringify(t.type)}`);
  let upstream: URL;
  try {
    upstream = new URL(route.upstream);
  } catch {
    return bad(`upstream ${JSON.stringify(route.upstream)} is not a URL`);
  }
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    bad(`upstream must be http:// or https://, not ${upstream.protocol}`);
  }
  if (upstream.username !== '' || upstream.password !== '') {
    bad('upstream must not carry credentials: put them in headers');
  }
  if (upstream.search !== '' || upstream.hash !== '') bad('upstream must not have a query or fragment');
  const m = route.match;
  if (m === null || typeof m !== 'object' || (m.host === undefined && m.pathPrefix === undefined)) {
    bad('match needs host, pathPrefix or both');
  }
  if (m.host !== undefined && (typeof m.host !== 'string' || m.host.trim() === ''))
    bad('match.host is empty');
  if (m.pathPrefix !== undefined && (typeof m.pathPrefix !== 'string' || !m.pathPrefix.startsWith('/'))) {
    bad('match.pathPrefix must start with /');
  }
  for (const [name, value] of Object.entries(route.headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      bad(`headers: ${JSON.stringify(name)} is not a header name`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value))
      bad(`headers.${name} must be a single-line string`);
  }
  const prefix = m.pathPrefix?.replace(/\/+$/, '');
  return {
    route,
    index,
    host: m.host === undefined ? undefined : hostName(m.host),
    prefix,
    upstream,
    basePath: upstream.pathname.replace(/\/+$/, ''),
  };
}
