import http from 'node:http';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bearer,
  curl,
  request,
  route,
  startGateway,
  startUpstream,
  type TestContext,
  type TestGateway,
  type TestUpstream,
  testContext,
} from './test-support.js';

let upstream: TestUpstream;
let gw: TestGateway;
let ctx: TestContext;

const customer = {
  name: 'Ann',
  ssn: '123-45-6789',
  contact: 'ann@example.com',
  payment: { card: '4111 1111 1111 1111' },
  orders: [{ id: 1, ssn: '987-65-4321' }],
};

type Body = { type?: string; encoding?: string; body: Buffer; extra?: Record<string, string> };

async function setup(respond: (path: string) => Body, limits = {}): Promise<void> {
  ctx = testContext();
  upstream = await startUpstream((req, res) => {
    const b = respond(req.url!);
    res.writeHead(200, {
      ...(b.type === undefined ? {} : { 'content-type': b.type }),
      ...(b.encoding === undefined ? {} : { 'content-encoding': b.encoding }),
      'content-length': b.body.length,
      etag: '"v1"',
      ...b.extra,
    });
    res.end(b.body);
  });
  gw = await startGateway(ctx, { routes: [route(upstream.url)], limits });
}

afterEach(async () => {
  await gw?.close();
  await upstream?.close();
});

const json = Buffer.from(JSON.stringify(customer));

describe('createHttpAdapter: masking responses', () => {
  for (const [encoding, encode] of [
    ['identity', (b: Buffer) => b],
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
  ] as const) {
    it(`masks JSON fields and detected values when the upstream encodes with ${encoding} (${encode.name || 'none'})`, async () => {
      await setup(() => ({ type: 'application/json', encoding, body: encode(json) }));
      const res = await request(`${gw.url}/masked/customer`, {
        headers: { ...bearer('alice-token'), 'accept-encoding': 'gzip, br, deflate' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers.etag).toBeUndefined();
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
      expect(JSON.parse(res.body)).toEqual({
        name: 'Ann',
        ssn: '[REDACTED]',
        contact: '[REDACTED]',
        payment: { card: '**** **** **** 1111' },
        orders: [{ id: 1, ssn: '[REDACTED]' }],
      });
    });
  }

  it('masks a JSON body when the client is curl and asks for compression', async () => {
    await setup(() => ({ type: 'application/problem+json', encoding: 'gzip', body: gzipSync(json) }));
    const res = await curl(['--compressed', '-H', 'Authorization: Bearer alice-token', `${gw.url}/masked/c`]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).ssn).toBe('[REDACTED]');
    expect(res.headers).toMatch(new RegExp(`content-length: ${Buffer.byteLength(res.body)}`, 'i'));
  });

  it('masks detected values in a text body and re-encodes a latin1 body as UTF-8', async () => {
    const text = 'Card 4111 1111 1111 1111 belongs to ann@example.com. Café.';
    await setup((path) =>
      path.endsWith('latin1')
        ? { type: 'text/plain; charset=iso-8859-1', body: Buffer.from(text, 'latin1') }
        : { type: 'text/csv', encoding: 'br', body: brotliCompressSync(Buffer.from(text)) },
    );
    const csv = await request(`${gw.url}/masked/report`, { headers: bearer('alice-token') });
    expect(csv.body).toBe('Card **** **** **** 1111 belongs to [REDACTED]. Café.');
    const latin1 = await request(`${gw.url}/masked/latin1`, { headers: bearer('alice-token') });
    expect(latin1.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(latin1.body).toBe('Card **** **** **** 1111 belongs to [REDACTED]. Café.');
  });

  it('refuses with 502 a response it cannot mask: binary, no content type, invalid JSON, unknown encoding', async () => {
    await setup((path) => {
      if (path.endsWith('pdf')) return { type: 'application/pdf', body: Buffer.from('%PDF-1.7 123-45-6789') };
      if (path.endsWith('untyped')) return { body: Buffer.from('123-45-6789') };
      if (path.endsWith('broken'))
        return { type: 'application/json', body: Buffer.from('{"ssn": "123-45-6789"') };
      return { type: 'application/json', encoding: 'compress', body: json };
    });
    for (const name of ['pdf', 'untyped', 'broken', 'compress']) {
      const res = await request(`${gw.url}/masked/${name}`, { headers: bearer('alice-token') });
      expect(res.status, name).toBe(502);
      expect(JSON.parse(res.body), name).toMatchObject({ code: 'ERR_HTTP_UNMASKABLE' });
      expect(res.body).not.toContain('123-45-6789');
    }
    expect(
      ctx.logs.filter(
        (l) => l.message === 'http upstream failed' && l.detail?.code === 'ERR_HTTP_UNMASKABLE',
      ),
    ).toHaveLength(4);
  });

  it('refuses with 502 a masked response larger than maxMaskedBodyBytes, also when it only grows on decoding', async () => {
    const big = Buffer.from(JSON.stringify({ data: 'x'.repeat(5000) }));
    await setup(
      (path) =>
        path.endsWith('bomb')
          ? { type: 'application/json', encoding: 'gzip', body: gzipSync(big) }
          : { type: 'application/json', body: big },
      { maxMaskedBodyBytes: 4096 },
    );
    for (const name of ['plain', 'bomb']) {
      const res = await request(`${gw.url}/masked/${name}`, { headers: bearer('alice-token') });
      expect(res.status, name).toBe(502);
      expect(JSON.parse(res.body).code, name).toBe('ERR_HTTP_RESPONSE_TOO_LARGE');
    }
  });

  it('passes a binary response through untouched when the decision does not mask', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await setup(() => ({ type: 'application/octet-stream', encoding: 'gzip', body: gzipSync(bytes) }));
    const res = await fetch(`${gw.url}/files/x`, { headers: bearer('alice-token') });
    expect(res.status).toBe(200);
    // fetch decodes gzip itself: the gateway passed the encoded bytes on with their Content-Encoding.
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    expect(res.headers.get('etag')).toBe('"v1"');
  });

  it('asks the upstream for the whole body (no Range) when the response will be masked', async () => {
    await setup(() => ({ type: 'application/json', body: json }));
    await request(`${gw.url}/masked/x`, { headers: { ...bearer('alice-token'), range: 'bytes=0-10' } });
    await request(`${gw.url}/plain/x`, { headers: { ...bearer('alice-token'), range: 'bytes=0-10' } });
    expect(upstream.seen.map((s) => s.headers.range)).toEqual([undefined, 'bytes=0-10']);
  });
});

describe('createHttpAdapter: streaming', () => {
  it('delivers the first chunk before the upstream has finished when nothing is masked', async () => {
    ctx = testContext();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      void finished.then(() => res.end('data: last\n\n'));
    });
    gw = await startGateway(ctx, { routes: [route(upstream.url)] });
    const chunks: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = http.get(`${gw.url}/events`, { headers: bearer('alice-token') }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          chunks.push(c);
          // The upstream is still open: this chunk cannot have waited for the end.
          if (chunks.length === 1) finish();
        });
        res.on('end', resolve);
      });
      req.on('error', reject);
    });
    await done;
    expect(chunks[0]).toBe('data: first\n\n');
    expect(chunks.join('')).toBe('data: first\n\ndata: last\n\n');
  });
});
