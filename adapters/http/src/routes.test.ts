import { describe, expect, it } from 'vitest';
import { createHttpAdapter } from './adapter.js';
import type { HttpAdapterOptions, HttpRoute } from './options.js';
import { hostName, RouteTable, upstreamPath } from './routes.js';
import { HASH_KEY, testContext } from './test-support.js';

const r = (name: string, match: HttpRoute['match'], extra: Partial<HttpRoute> = {}): HttpRoute => ({
  target: { name, type: 'http' },
  upstream: 'http://127.0.0.1:9000',
  match,
  ...extra,
});

describe('RouteTable', () => {
  const table = new RouteTable([
    r('root', { pathPrefix: '/' }),
    r('api', { pathPrefix: '/api' }),
    r('api-v2', { pathPrefix: '/api/v2/' }),
    r('billing-host', { host: 'Billing.Example' }),
    r('billing-admin', { host: 'billing.example', pathPrefix: '/admin' }),
  ]);

  it.each([
    [undefined, '/', 'root'],
    ['x', '/apiary', 'root'],
    ['x', '/api', 'api'],
    ['x', '/api/orders', 'api'],
    ['x', '/api/v2', 'api-v2'],
    ['x', '/api/v2/x', 'api-v2'],
    ['billing.example', '/api/x', 'api'],
    ['BILLING.example:8443', '/x', 'billing-host'],
    ['billing.example.', '/admin/users', 'billing-admin'],
    ['billing.example', '/administrators', 'billing-host'],
  ])('routes host %s path %s to %s (longest prefix wins)', (host, path, name) => {
    expect(table.match(host, path)?.route.target.name).toBe(name);
  });

  it('matches nothing when no route fits', () => {
    const only = new RouteTable([r('api', { pathPrefix: '/api' }), r('h', { host: 'h.example' })]);
    expect(only.match('other.example', '/x')).toBeUndefined();
    expect(only.match(undefined, '/x')).toBeUndefined();
  });

  it('strips the prefix and joins the upstream base path', () => {
    const t = new RouteTable([
      r('strip', { pathPrefix: '/api' }, { stripPrefix: true, upstream: 'http://u:1/base/' }),
      r('keep', { pathPrefix: '/keep' }, { upstream: 'http://u:1' }),
    ]);
    const strip = t.routes[0]!;
    const keep = t.routes[1]!;
    expect(upstreamPath(strip, '/api/orders')).toBe('/base/orders');
    expect(upstreamPath(strip, '/api')).toBe('/base/');
    expect(upstreamPath(keep, '/keep//x')).toBe('/keep//x');
  });

  it.each([
    ['[::1]:8080', '[::1]'],
    ['Example.COM:80', 'example.com'],
    ['example.com.', 'example.com'],
  ])('reads the host name of %s as %s', (host, name) => {
    expect(hostName(host)).toBe(name);
  });
});

describe('createHttpAdapter options', () => {
  const ctx = testContext();
  const base: HttpAdapterOptions = { routes: [r('a', { pathPrefix: '/' })], maskHashKey: HASH_KEY };
  it.each([
    ['no routes', { routes: [] }, /routes must be a non-empty array/],
    ['a short hash key', { maskHashKey: Buffer.alloc(4) }, /maskHashKey/],
    ['a route without match', { routes: [r('a', {})] }, /routes\[0\]: match needs host, pathPrefix or both/],
    ['a relative prefix', { routes: [r('a', { pathPrefix: 'api' })] }, /must start with \//],
    [
      'a non-http target',
      { routes: [{ ...r('a', { pathPrefix: '/' }), target: { name: 'db', type: 'postgres' as const } }] },
      /target.type must be http/,
    ],
    [
      'a ftp upstream',
      { routes: [r('a', { pathPrefix: '/' }, { upstream: 'ftp://x' })] },
      /http:\/\/ or https:\/\//,
    ],
    [
      'credentials in the upstream URL',
      { routes: [r('a', { pathPrefix: '/' }, { upstream: 'http://u:p@x' })] },
      /must not carry credentials/,
    ],
    [
      'a header with a newline',
      { routes: [r('a', { pathPrefix: '/' }, { headers: { 'x-k': 'a\r\nb' } })] },
      /single-line/,
    ],
    ['an unknown limit', { limits: { maxBody: 1 } as never }, /limits.maxBody is not a limit/],
    ['a zero limit', { limits: { maxBodyBytes: 0 } }, /positive integer/],
    [
      'headers timeout over request timeout',
      { limits: { headersTimeoutMs: 10, requestTimeoutMs: 5 } },
      /headersTimeoutMs/,
    ],
    [
      'an action body limit over the body limit',
      { limits: { maxBodyBytes: 10, maxActionBodyBytes: 20 } },
      /maxActionBodyBytes/,
    ],
    ['an unknown approval mode', { approval: { mode: 'later' as never } }, /approval.mode/],
  ])('throws ERR_HTTP_INVALID_OPTIONS at creation when given %s', (_name, patch, message) => {
    expect(() => createHttpAdapter({ ...base, ...patch } as HttpAdapterOptions, ctx)).toThrow(
      expect.objectContaining({ code: 'ERR_HTTP_INVALID_OPTIONS', message: expect.stringMatching(message) }),
    );
  });
});
