/**
 * TokenVerifier against a real OpenID Provider (oidc-provider 9, in this process on port 0): discovery,
 * the JWKS, real JWT access tokens and real introspection. Tokens a real issuer would never produce
 * (alg none, HS256 keyed with the public key, a tampered payload, an unknown key) are forged by hand.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IdentityConfig } from './config.js';
import { IdentityError, type IdentityErrorCode } from './errors.js';
import { GATEWAY_CLIENT, SVC, signingKey, startIssuer, type TestIssuer } from './test-support.js';
import { TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';

let idp: TestIssuer;
let other: TestIssuer;

beforeAll(async () => {
  idp = await startIssuer();
  // Another issuer holding the same signing key: its tokens verify, but name the wrong issuer.
  other = await startIssuer({ keys: [...idp.keys] });
});
afterAll(async () => {
  await idp.close();
  await other.close();
});
afterEach(() => {
  vi.useRealTimers();
  idp.setMode('up');
});

function config(extra: Partial<IdentityConfig> = {}): IdentityConfig {
  return { issuer: idp.issuer, audience: 'regate', allowInsecureHttp: true, ...extra };
}

async function refusal(verifier: TokenVerifier, token: string): Promise<IdentityError> {
  const err = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof IdentityError)) throw new Error(`expected an IdentityError, got ${String(err)}`);
  // No message ever carries the token (nor its signature).
  if (typeof token === 'string' && token.length > 8)
    expect(err.message).not.toContain(token.split('.').pop() || token);
  return err;
}

async function expectRefused(verifier: TokenVerifier, token: string, code: IdentityErrorCode): Promise<void> {
  expect((await refusal(verifier, token)).code).toBe(code);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('TokenVerifier with a real OpenID Provider', () => {
  it('maps a valid JWT access token to its identity, with groups from the configured claim', async () => {
    const verifier = await TokenVerifier.create(config());
    const token = await idp.serviceToken();
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
    expect(await verifier.verify(token)).toEqual({
      subject: SVC.id,
      groups: ['dba', 'ops'],
      issuer: idp.issuer,
      type: 'user',
    });

    const roles = await TokenVerifier.create(
      config({ claims: { groups: 'realm_access.roles', type: 'regate_type' } }),
    );
    expect(await roles.verify(token)).toMatchObject({ subject: SVC.id, groups: ['admin'], type: 'service' });
  });

  it('refuses a token when it has expired, by the injected clock and past the tolerance', async () => {
    const token = await idp.serviceToken();
    const exp = decodeJwt(token).exp as number;
    const at = (seconds: number): TokenVerifierOptions => ({ clock: () => new Date(seconds * 1000) });
    expect((await (await TokenVerifier.create(config(), at(exp + 29))).verify(token)).subject).toBe(SVC.id);
    const late = await TokenVerifier.create(config(), at(exp + 31));
    const err = await refusal(late, token);
    expect(err.code).toBe('ERR_TOKEN_EXPIRED');
    expect(err.message).toMatch(/expired at .*get a new token/);
  });

  it('refuses a token when it is not valid yet (iat in the future by the injected clock)', async () => {
    const token = await idp.serviceToken();
    const iat = decodeJwt(token).iat as number;
    const verifier = await TokenVerifier.create(config(), { clock: () => new Date((iat - 3600) * 1000) });
    await expectRefused(verifier, token, 'ERR_TOKEN_NOT_YET_VALID');
  });

  it('refuses a token when another issuer issued it, even signed with the same key', async () => {
    const verifier = await TokenVerifier.create(config());
    const token = await other.serviceToken();
    expect(decodeJwt(token).iss).toBe(other.issuer);
    const err = await refusal(verifier, token);
    expect(err.code).toBe('ERR_TOKEN_ISSUER');
    expect(err.message).toContain(idp.issuer);
  });

  it('refuses a token when its audience is another resource server', async () => {
    const verifier = await TokenVerifier.create(config());
    const token = await idp.serviceToken('urn:other');
    expect(decodeJwt(token).aud).toBe('other');
    await expectRefused(verifier, token, 'ERR_TOKEN_AUDIENCE');
  });

  it('refuses a token when its kid is not in the JWKS, after fetching the JWKS again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verifier = await TokenVerifier.create(config());
    const genuine = await idp.serviceToken();
    await verifier.verify(genuine);
    const stranger = await signingKey('not-published');
    const forged = await new SignJWT(decodeJwt(genuine))
      .setProtectedHeader({ alg: 'RS256', kid: 'not-published', typ: 'at+jwt' })
      .sign(stranger.privateKey);
    // Past jose's 30 s cooldown, an unknown kid makes the verifier fetch the JWKS again before refusing.
    vi.setSystemTime(Date.now() + 31_000);
    const fetched = idp.hits.get('/jwks') ?? 0;
    const err = await refusal(verifier, forged);
    expect(err.code).toBe('ERR_TOKEN_KEY_UNKNOWN');
    expect(idp.hits.get('/jwks')).toBe(fetched + 1);
  });

  it('accepts a token signed with a rotated-in key once the JWKS is fetched again, not before the cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const idp2 = await startIssuer();
    try {
      const verifier = await TokenVerifier.create({ issuer: idp2.issuer, audience: 'regate' });
      await verifier.verify(await idp2.serviceToken());
      idp2.rotate(await signingKey('key-2'));
      const rotated = await idp2.serviceToken();
      expect(decodeProtectedHeader(rotated).kid).toBe('key-2');
      // Within the cooldown the cached JWKS stands: a flood of unknown kids cannot hammer the issuer.
      await expectRefused(verifier, rotated, 'ERR_TOKEN_KEY_UNKNOWN');
      vi.setSystemTime(Date.now() + 31_000);
      expect((await verifier.verify(rotated)).subject).toBe(SVC.id);
    } finally {
      await idp2.close();
    }
  });

  it('refuses alg none when the token is otherwise perfect', async () => {
    const verifier = await TokenVerifier.create(config());
    const claims = decodeJwt(await idp.serviceToken());
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`;
    const err = await refusal(verifier, unsigned);
    expect(err.code).toBe('ERR_TOKEN_ALGORITHM');
    expect(err.message).toContain('never accepted');
  });

  it('refuses HS256 signed with the issuer’s public key as the HMAC secret', async () => {
    const verifier = await TokenVerifier.create(config());
    const genuine = await idp.serviceToken();
    const publicKey = createPublicKey({ key: idp.keys[0]?.publicJwk as never, format: 'jwk' });
    const input = `${b64({ alg: 'HS256', kid: 'key-1', typ: 'at+jwt' })}.${b64(decodeJwt(genuine))}`;
    for (const secret of [
      publicKey.export({ type: 'spki', format: 'pem' }),
      publicKey.export({ type: 'spki', format: 'der' }),
      JSON.stringify(idp.keys[0]?.publicJwk),
    ]) {
      const mac = createHmac('sha256', secret).update(input).digest('base64url');
      await expectRefused(verifier, `${input}.${mac}`, 'ERR_TOKEN_ALGORITHM');
    }
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const verifier = await TokenVerifier.create(config());
    const [h, , s] = (await idp.serviceToken()).split('.');
    const claims = decodeJwt(await idp.serviceToken());
    const tampered = `${h}.${b64({ ...claims, groups: ['dba', 'ops', 'admin'] })}.${s}`;
    await expectRefused(verifier, tampered, 'ERR_TOKEN_SIGNATURE');
  });

  it('refuses a missing token and garbage before asking the issuer anything', async () => {
    const verifier = await TokenVerifier.create(config());
    const before = [...idp.hits.values()].reduce((a, b) => a + b, 0);
    for (const missing of ['', '   ', undefined as unknown as string])
      await expectRefused(verifier, missing, 'ERR_TOKEN_MISSING');
    for (const garbage of [
      'not a token',
      'a.b.c',
      'eyJhbGciOiJSUzI1NiJ9.e30',
      '{"alg":"RS256"}',
      'x'.repeat(40_000),
    ])
      await expectRefused(verifier, garbage, 'ERR_TOKEN_MALFORMED');
    // An opaque-looking token with no introspection client configured: refused, and says what to do.
    const err = await refusal(verifier, await idp.serviceToken('urn:regate:opaque'));
    expect(err.code).toBe('ERR_TOKEN_MALFORMED');
    expect(err.message).toContain('identity.introspection');
    expect([...idp.hits.values()].reduce((a, b) => a + b, 0)).toBe(before + 1); // only the token request
  });
});

describe('TokenVerifier introspection', () => {
  const introspection = { clientId: GATEWAY_CLIENT.id, clientSecret: GATEWAY_CLIENT.secret };

  it('maps an active opaque token to its identity through the introspection endpoint', async () => {
    const verifier = await TokenVerifier.create(config({ introspection }));
    const token = await idp.serviceToken('urn:regate:opaque');
    expect(token.split('.')).toHaveLength(1);
    // oidc-provider's answer has no `sub` for a client-credentials token: the client id is the subject.
    expect(await verifier.verify(token)).toEqual({
      subject: SVC.id,
      groups: ['dba', 'ops'],
      issuer: idp.issuer,
      type: 'user',
    });
    expect(idp.hits.get('/token/introspection')).toBeGreaterThan(0);
  });

  it('refuses an opaque token when it was revoked or was never issued', async () => {
    const verifier = await TokenVerifier.create(config({ introspection }));
    const token = await idp.serviceToken('urn:regate:opaque');
    await verifier.verify(token);
    await idp.revoke(token);
    await expectRefused(verifier, token, 'ERR_TOKEN_INACTIVE');
    await expectRefused(verifier, 'bm90LWEtcmVhbC10b2tlbi1hdC1hbGw', 'ERR_TOKEN_INACTIVE');
  });

  it('refuses an active opaque token when the introspection says it is for another audience', async () => {
    const verifier = await TokenVerifier.create(config({ introspection, audience: 'billing' }));
    await expectRefused(verifier, await idp.serviceToken('urn:regate:opaque'), 'ERR_TOKEN_AUDIENCE');
  });

  it('reports ERR_INTROSPECTION_FAILED when the gateway’s client secret is wrong', async () => {
    const verifier = await TokenVerifier.create(
      config({ introspection: { clientId: GATEWAY_CLIENT.id, clientSecret: 'wrong-secret-0123456789' } }),
    );
    const err = await refusal(verifier, await idp.serviceToken('urn:regate:opaque'));
    expect(err.code).toBe('ERR_INTROSPECTION_FAILED');
    expect(err.message).toMatch(/clientSecret/);
  });
});

describe('TokenVerifier discovery', () => {
  it('reports ERR_ISSUER_UNREACHABLE within the timeout when the issuer hangs, and recovers when it answers', async () => {
    idp.setMode('hang');
    const verifier = await TokenVerifier.create(config({ timeoutSec: 0.3 }));
    const err = await verifier.ready().then(
      () => undefined,
      (e: unknown) => e as IdentityError,
    );
    expect(err?.code).toBe('ERR_ISSUER_UNREACHABLE');
    expect(err?.message).toContain(`${idp.issuer}/.well-known/openid-configuration`);
    expect(err?.message).toContain('no answer within 0.3 s');
    idp.setMode('up');
    const token = await idp.serviceToken();
    idp.setMode('hang');
    await expectRefused(verifier, token, 'ERR_ISSUER_UNREACHABLE');

    idp.setMode('up');
    expect((await verifier.verify(token)).subject).toBe(SVC.id);
  });

  it('reports ERR_ISSUER_UNREACHABLE with the HTTP status when the issuer answers 503, and recovers', async () => {
    const token = await idp.serviceToken();
    idp.setMode('unavailable');
    const verifier = await TokenVerifier.create(config());
    const err = await refusal(verifier, token);
    expect(err.code).toBe('ERR_ISSUER_UNREACHABLE');
    expect(err.message).toContain('HTTP 503');
    idp.setMode('up');
    await verifier.ready();
    expect((await verifier.verify(token)).groups).toEqual(['dba', 'ops']);
  });

  it('reports ERR_ISSUER_UNREACHABLE when nothing listens at the issuer', async () => {
    const gone = await startIssuer();
    const token = await gone.serviceToken();
    await gone.close();
    const verifier = await TokenVerifier.create({ issuer: gone.issuer, audience: 'regate' });
    const err = await refusal(verifier, token);
    expect(err.code).toBe('ERR_ISSUER_UNREACHABLE');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('reports ERR_ISSUER_UNREACHABLE when the JWKS cannot be fetched after discovery', async () => {
    const verifier = await TokenVerifier.create(config({ timeoutSec: 0.3 }));
    const token = await idp.serviceToken();
    idp.setMode('unavailable');
    const err = await refusal(verifier, token);
    expect(err.code).toBe('ERR_ISSUER_UNREACHABLE');
    expect(err.message).toContain(`${idp.issuer}/jwks`);
  });

  it('refuses to start when the issuer is plain http on another host', async () => {
    await expect(
      TokenVerifier.create({ issuer: 'http://idp.example.com', audience: 'regate' }),
    ).rejects.toMatchObject({
      code: 'ERR_IDENTITY_CONFIG',
    });
  });
});
