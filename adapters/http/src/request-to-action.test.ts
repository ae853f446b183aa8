import type { IncomingHttpHeaders } from 'node:http';
import { validateAction } from '@regate/action';
import { describe, expect, it } from 'vitest';
import { type HttpRequestParts, requestToAction, sessionOpenAction } from './request-to-action.js';
import { ALICE } from './test-support.js';

const base = {
  id: 'act-1',
  time: new Date('2026-11-23T10:00:00.123Z'),
  identity: ALICE,
  session: { id: 'ses-1', client: { address: '10.0.0.7', application: 'curl/8' } },
  target: { name: 'orders-api', type: 'http' as const, labels: { env: 'prod' } },
};

function action(url: string, headers: IncomingHttpHeaders = {}, extra: Partial<HttpRequestParts> = {}) {
  return requestToAction({ ...base, method: 'GET', url, headers, ...extra });
}

const json = { 'content-type': 'application/json' };

describe('requestToAction', () => {
  it('builds a valid http.request Action with the raw path and parsed query', () => {
    const a = action('/orders/%61?x=1&x=2&y=a%20b&z=c+d&flag');
    expect(a).toEqual({
      id: 'act-1',
      time: '2026-11-23T10:00:00.123Z',
      kind: 'http.request',
      protocol: 'http',
      identity: ALICE,
      session: base.session,
      target: base.target,
      http: {
        method: 'GET',
        path: '/orders/%61',
        query: { x: ['1', '2'], y: ['a b'], z: ['c d'], flag: [''] },
        headers: {},
      },
    });
    expect(() => validateAction(a)).not.toThrow();
  });

  it.each([
    ['/', '/', {}],
    ['/a//b/../c', '/a//b/../c', {}],
    ['/a?', '/a', {}],
    ['/a?=1', '/a', { '': ['1'] }],
    ['/a?__proto__=x', '/a', { ['__proto__']: ['x'] }],
    ['http://api.example/p?q=1', '/p', { q: ['1'] }],
    ['https://api.example', '/', {}],
    ['*', '*', {}],
  ])('splits %s into path %s and its query', (url, path, query) => {
    const a = action(url);
    expect(a.http!.path).toBe(path);
    expect(a.http!.query).toEqual(query);
    expect(Object.getPrototypeOf(a.http!.query)).toBe(Object.prototype);
  });

  it.each(['x/y', 'http://user:pw@host/', '/a#frag', '', 'ftp://host/'])(
    'refuses the malformed target %j',
    (url) => {
      expect(() => action(url)).toThrow(expect.objectContaining({ code: 'ERR_HTTP_BAD_REQUEST' }));
    },
  );

  it('leaves every credential header out and lower-cases the rest', () => {
    const a = action('/', {
      authorization: 'Bearer t',
      cookie: 'sid=1',
      'set-cookie': ['a=1'],
      'proxy-authorization': 'Basic x',
      'x-api-key': 'k',
      'x-auth-token': 't2',
      'x-vault-token': 't3',
      'x-client-secret': 's',
      'x-token-type': 'bearer',
      accept: 'application/json',
      'x-multi': ['a', 'b'],
    });
    expect(a.http!.headers).toEqual({
      'x-token-type': 'bearer',
      accept: 'application/json',
      'x-multi': 'a, b',
    });
  });

  it.each([
    ['JSON within the limit', json, '{"a":[1,{"b":null}]}', 100, { a: [1, { b: null }] }],
    [
      '+json media type with parameters',
      { 'content-type': 'application/vnd.api+json; charset=utf-8' },
      '[1]',
      100,
      [1],
    ],
    ['JSON over maxActionBodyBytes', json, '{"a":1}', 3, undefined],
    ['invalid JSON', json, '{"a":', 100, undefined],
    ['invalid UTF-8', json, Buffer.from([0x22, 0xff, 0x22]), 100, undefined],
    ['an empty body', json, '', 100, undefined],
    ['not JSON', { 'content-type': 'text/plain' }, '{"a":1}', 100, undefined],
    ['no content type', {}, '{"a":1}', 100, undefined],
    ['a compressed JSON body', { ...json, 'content-encoding': 'gzip' }, '{"a":1}', 100, undefined],
    ['an identity-encoded JSON body', { ...json, 'content-encoding': 'identity' }, '{"a":1}', 100, { a: 1 }],
  ])('captures the body when it is %s: %j', (_name, headers, body, max, expected) => {
    const a = action('/', headers, {
      method: 'POST',
      body: typeof body === 'string' ? Buffer.from(body) : body,
      maxActionBodyBytes: max,
    });
    if (expected === undefined) expect('body' in a.http!).toBe(false);
    else expect(a.http!.body).toEqual(expected);
  });

  it('keeps a JSON key named __proto__ as data', () => {
    const a = action('/', json, { body: Buffer.from('{"__proto__": {"admin": true}}') });
    expect(Object.keys(a.http!.body as object)).toEqual(['__proto__']);
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });
});

describe('sessionOpenAction', () => {
  it('builds a valid session.open Action for the http protocol', () => {
    const a = sessionOpenAction(base);
    expect(a).toEqual({
      id: 'act-1',
      time: '2026-11-23T10:00:00.123Z',
      kind: 'session.open',
      protocol: 'http',
      identity: ALICE,
      session: base.session,
      target: base.target,
    });
    expect(() => validateAction(a)).not.toThrow();
  });
});
