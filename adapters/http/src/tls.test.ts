import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curl,
  route,
  startGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
  testContext,
} from './test-support.js';

const run = promisify(execFile);
let dir: string;
let cert: Buffer;
let key: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'regate-http-tls-'));
  // A throwaway self-signed certificate for 127.0.0.1, made by the real openssl.
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  cert = readFileSync(join(dir, 'cert.pem'));
  key = readFileSync(join(dir, 'key.pem'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createHttpAdapter with tls', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  it('serves HTTPS and tells the upstream the client used https', async () => {
    const ctx = testContext();
    upstream = await startUpstream();
    gw = await startGateway(ctx, { routes: [route(upstream.url)], tls: { cert, key } });
    try {
      const url = `https://127.0.0.1:${gw.port}/orders`;
      const ok = await curl([
        '--cacert',
        join(dir, 'cert.pem'),
        '-H',
        'Authorization: Bearer alice-token',
        url,
      ]);
      expect(ok.status).toBe(200);
      expect(upstream.seen[0]!.headers['x-forwarded-proto']).toBe('https');
      const refused = await curl(['--cacert', join(dir, 'cert.pem'), url]);
      expect(refused.status).toBe(401);
      // A client speaking plain HTTP to the TLS port gets no answer it could mistake for one.
      await expect(curl([`http://127.0.0.1:${gw.port}/orders`])).rejects.toThrow(/curl failed/);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
