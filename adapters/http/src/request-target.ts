/**
 * The request target (RFC 9112 §3.2) split into the raw path and query the policy decides on. The path
 * is kept exactly as received (not decoded, not normalized): the policy and the upstream see the same
 * bytes, so `/%61dmin` or `//admin` cannot mean one thing to the policy and another upstream.
 */

export interface RequestTarget {
  /** The raw path (`*` for OPTIONS *). */
  path: string;
  /** The raw query without `?`, or undefined when there is none. */
  query: string | undefined;
  /** The authority of an absolute-form target (it replaces Host, RFC 9112 §3.2.2). */
  authority: string | undefined;
}

/** Parses a request target; undefined when it is not origin-form, absolute-form or `*`. */
export function parseRequestTarget(url: string): RequestTarget | undefined {
  // A fragment is never part of a request target; one here means a broken or hostile client.
  if (url.includes('#')) return undefined;
  if (url === '*') return { path: '*', query: undefined, authority: undefined };
  let authority: string | undefined;
  let rest = url;
  const abs = /^https?:\/\//i.exec(url);
  if (abs !== null) {
    const start = abs[0].length;
    let end = start;
    while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
    authority = url.slice(start, end);
    if (authority === '' || authority.includes('@')) return undefined;
    rest = url.slice(end);
    if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  }
  if (!rest.startsWith('/')) return undefined;
  const q = rest.indexOf('?');
  return q < 0
    ? { path: rest, query: undefined, authority }
    : { path: rest.slice(0, q), query: rest.slice(q + 1), authority };
}

/** `a=1&a=2&b` → `{ a: ['1', '2'], b: [''] }`, decoded as application/x-www-form-urlencoded. */
export function parseQuery(query: string | undefined): Record<string, string[]> {
  if (query === undefined || query === '') return {};
  const map = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(query)) {
    const values = map.get(k);
    if (values === undefined) map.set(k, [v]);
    else values.push(v);
  }
  // fromEntries defines own properties, so a parameter named __proto__ stays data.
  return Object.fromEntries(map);
}
