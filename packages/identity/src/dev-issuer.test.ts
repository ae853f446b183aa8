import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { DEV_TYPE_CLAIM, DevIssuer, MAX_DEV_TTL_SEC, mintDevToken } from './dev-issuer.js';
import { IdentityError } from './errors.js';
import { TokenVerifier } from './token-verifier.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'regate-identity-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ISSUER = 'http://127.0.0.1:8081/dev-issuer';

async function serve(handler: (req: never, res: never) => boolean): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (!handler(req as never, res as never)) res.writeHead(404).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('DevIssuer', () => {
  it('creates its key with mode 0600 in a new directory, and reuses it on the next open', async () => {
    const keyPath = join(tempDir(), 'nested', '.regate', 'dev-issuer.jwk');
    const first = await DevIssuer.open({ keyPath, issuer: ISSUER });
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const jwk = JSON.parse(readFileSync(keyPath, 'utf8')) as Record<string, unknown>;
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: first.kid });
    expect(typeof jwk.d).toBe('string');

    const second = await DevIssuer.open({ keyPath, issuer: ISSUER });
    expect(second.kid).toBe(first.kid);
    // A token minted by one open verifies with the other: the key really is the same.
    const token = await first.mint({ subject: 'alice' });
    expect((await second.verifier().verify(token)).subject).toBe('alice');
  });

  it('mints a token its verifier maps to the identity asked for', async () => {
    const dev = await DevIssuer.open({ keyPath: join(tempDir(), 'k.jwk'), issuer: ISSUER });
    const token = await dev.mint({
      subject: 'bot-7',
      groups: ['ci', 'deploy'],
      email: 'bot@example.com',
      type: 'agent',
    });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: dev.kid, typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: ISSUER, aud: 'regate', sub: 'bot-7', [DEV_TYPE_CLAIM]: 'agent' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(await dev.verifier().verify(token)).toEqual({
      subject: 'bot-7',
      groups: ['ci', 'deploy'],
      email: 'bot@example.com',
      issuer: ISSUER,
      type: 'agent',
    });
  });

  it('has its verifier refuse a token when it has expired or is for another audience', async () => {
    let now = new Date('2026-11-23T10:00:00Z');
    const dev = await DevIssuer.open({ keyPath: join(tempDir(), 'k.jwk'), issuer: ISSUER, clock: () => now });
    const token = await dev.mint({ subject: 'alice', ttlSec: 60 });
    const verifier = dev.verifier({ clock: () => now });
    expect((await verifier.verify(token)).subject).toBe('alice');
    now = new Date('2026-11-23T10:02:00Z');
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    const elsewhere = await dev.mint({ subject: 'alice', audience: 'billing' });
    await expect(verifier.verify(elsewhere)).rejects.toMatchObject({ code: 'ERR_TOKEN_AUDIENCE' });
  });

  it('uses an ES256 key when asked to create one', async () => {
    const dev = await DevIssuer.open({
      keyPath: join(tempDir(), 'k.jwk'),
      issuer: ISSUER,
      algorithm: 'ES256',
    });
    expect(dev.algorithm).toBe('ES256');
    expect(dev.jwks().keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: dev.kid });
    expect(dev.jwks().keys[0]).not.toHaveProperty('d');
    expect((await dev.verifier().verify(await dev.mint({ subject: 'x' }))).subject).toBe('x');
  });

  it('refuses a key file when it is not a dev issuer key', async () => {
    const dir = tempDir();
    for (const [name, text] of [
      ['garbage.jwk', 'not json'],
      ['rsa.jwk', JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB', kid: 'k' })],
      [
        'public.jwk',
        JSON.stringify({
          kty: 'OKP',
          crv: 'Ed25519',
          x: 'AziQEZMlPQiV_uGRzxcTF1CS376_nq2yjPj07uRaNTc',
          kid: 'k',
        }),
      ],
    ] as const) {
      writeFileSync(join(dir, name), text);
      const err = await DevIssuer.open({ keyPath: join(dir, name), issuer: ISSUER }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IdentityError);
      expect((err as IdentityError).code).toBe('ERR_IDENTITY_KEY');
      expect((err as IdentityError).message).toContain('Delete it');
    }
  });

  it('refuses to mint when the subject is empty or the lifetime is out of bounds', async () => {
    const dev = await DevIssuer.open({ keyPath: join(tempDir(), 'k.jwk'), issuer: ISSUER });
    await expect(dev.mint({ subject: '' })).rejects.toMatchObject({ code: 'ERR_TOKEN_CLAIMS' });
    await expect(dev.mint({ subject: 'a', ttlSec: 0 })).rejects.toMatchObject({ code: 'ERR_TOKEN_CLAIMS' });
    await expect(dev.mint({ subject: 'a', ttlSec: MAX_DEV_TTL_SEC + 1 })).rejects.toMatchObject({
      code: 'ERR_TOKEN_CLAIMS',
    });
  });

  it('serves discovery and the JWKS through handler, usable by TokenVerifier.create', async () => {
    // The issuer URL is only known once the server listens: open the issuer behind a late-bound handler.
    let dev: DevIssuer | undefined;
    const { url, server } = await serve((req, res) => dev?.handler(req, res) ?? false);
    try {
      const issuer = `${url}/dev-issuer`;
      dev = await DevIssuer.open({ keyPath: join(tempDir(), 'k.jwk'), issuer });

      const meta = await fetch(`${issuer}/.well-known/openid-configuration`);
      expect(meta.status).toBe(200);
      expect(await meta.json()).toMatchObject({ issuer, jwks_uri: `${issuer}/jwks` });
      const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).not.toHaveProperty('d');
      expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
      expect((await fetch(`${issuer}/jwks`, { method: 'POST' })).status).toBe(405);

      const verifier = await TokenVerifier.create(dev.identityConfig());
      await verifier.ready();
      expect(
        await verifier.verify(await dev.mint({ subject: 'alice', groups: ['dba'], type: 'service' })),
      ).toEqual({
        subject: 'alice',
        groups: ['dba'],
        issuer,
        type: 'service',
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('mintDevToken', () => {
  it('mints from the key file alone a token the dev issuer accepts', async () => {
    const keyPath = join(tempDir(), 'k.jwk');
    const dev = await DevIssuer.open({ keyPath, issuer: ISSUER });
    const token = await mintDevToken({
      keyPath,
      issuer: ISSUER,
      subject: 'carol',
      groups: ['ops'],
      ttlSec: 120,
    });
    expect(await dev.verifier().verify(token)).toMatchObject({ subject: 'carol', groups: ['ops'] });
  });

  it('says how to get a key when the key file is missing, and creates none', async () => {
    const keyPath = join(tempDir(), 'missing.jwk');
    const err = await mintDevToken({ keyPath, issuer: ISSUER, subject: 'a' }).then(
      () => undefined,
      (e: unknown) => e as IdentityError,
    );
    expect(err).toMatchObject({ code: 'ERR_IDENTITY_KEY' });
    expect(err?.message).toContain('start the gateway once with the dev issuer');
    expect(err?.message).toContain('--key');
    expect(() => statSync(keyPath)).toThrow();
  });
});
