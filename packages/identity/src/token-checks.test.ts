/**
 * The token checks that need no issuer on the network: TokenVerifier.fromJwks over keys made here, with
 * tokens signed here, so every odd claim and header can be produced.
 */
import { sign as cryptoSign, KeyObject } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IdentityConfig } from './config.js';
import { IdentityError, type IdentityErrorCode } from './errors.js';
import { TokenVerifier } from './token-verifier.js';

const ISSUER = 'https://idp.example.com';
const NOW = 1_800_000_000;
const clock = () => new Date(NOW * 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

let es: { privateKey: CryptoKey; publicJwk: JWK };
let ed: { privateKey: CryptoKey; publicJwk: JWK };

async function key(alg: string, kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

beforeAll(async () => {
  es = await key('ES256', 'es');
  ed = await key('EdDSA', 'ed');
});

function verifier(
  extra: Partial<IdentityConfig> = {},
  keys: JWK[] = [es.publicJwk, ed.publicJwk],
): TokenVerifier {
  return TokenVerifier.fromJwks({ issuer: ISSUER, audience: 'regate', ...extra }, { keys }, { clock });
}

function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'ES256', kid: 'es' },
  signer: CryptoKey = es.privateKey,
): Promise<string> {
  const payload = { iss: ISSUER, aud: 'regate', sub: 'alice', iat: NOW - 10, exp: NOW + 600, ...claims };
  for (const [k, v] of Object.entries(payload))
    if (v === undefined) delete payload[k as keyof typeof payload];
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(signer);
}

async function code(v: TokenVerifier, token: string): Promise<IdentityErrorCode | 'accepted'> {
  try {
    await v.verify(token);
    return 'accepted';
  } catch (err) {
    if (err instanceof IdentityError) return err.code;
    throw err;
  }
}

describe('TokenVerifier.fromJwks', () => {
  it('accepts EdDSA and ES256 tokens when their keys are in the set', async () => {
    const v = verifier();
    expect(await v.verify(await sign({ email: 'a@example.com', groups: 'dba' }))).toEqual({
      subject: 'alice',
      email: 'a@example.com',
      groups: ['dba'],
      issuer: ISSUER,
      type: 'user',
    });
    expect((await v.verify(await sign({}, { alg: 'EdDSA', kid: 'ed' }, ed.privateKey))).subject).toBe(
      'alice',
    );
  });

  it('still refuses a token it accepted before, once it has expired (the verified-token cache)', async () => {
    let now = NOW;
    const v = TokenVerifier.fromJwks(
      { issuer: ISSUER, audience: 'regate' },
      { keys: [es.publicJwk] },
      { clock: () => new Date(now * 1000) },
    );
    const token = await sign({ exp: NOW + 60 });
    expect(await code(v, token)).toBe('accepted');
    expect(await code(v, token)).toBe('accepted');
    now = NOW + 60 + 31;
    expect(await code(v, token)).toBe('ERR_TOKEN_EXPIRED');
    // A token differing from a remembered one in its signature alone is checked in full.
    const [h, p, sig] = (await sign({ exp: NOW + 6000 })).split('.') as [string, string, string];
    now = NOW;
    expect(await code(v, `${h}.${p}.${sig}`)).toBe('accepted');
    const forged = `${h}.${p}.${sig.slice(0, -4)}${sig.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect(await code(v, forged)).toBe('ERR_TOKEN_SIGNATURE');
  });

  it('refuses a token when it has no exp, and when exp or nbf is not a number', async () => {
    const v = verifier();
    expect(await code(v, await sign({ exp: undefined }))).toBe('ERR_TOKEN_CLAIMS');
    expect(await code(v, await sign({ exp: String(NOW + 600) }))).toBe('ERR_TOKEN_CLAIMS');
    expect(await code(v, await sign({ nbf: 'soon' }))).toBe('ERR_TOKEN_CLAIMS');
  });

  it('applies the clock tolerance to exp, nbf and iat when they are near the edge', async () => {
    const v = verifier({ clockToleranceSec: 30 });
    expect(await code(v, await sign({ exp: NOW - 29 }))).toBe('accepted');
    expect(await code(v, await sign({ exp: NOW - 30 }))).toBe('ERR_TOKEN_EXPIRED');
    expect(await code(v, await sign({ nbf: NOW + 30 }))).toBe('accepted');
    expect(await code(v, await sign({ nbf: NOW + 31 }))).toBe('ERR_TOKEN_NOT_YET_VALID');
    expect(await code(v, await sign({ iat: NOW + 31 }))).toBe('ERR_TOKEN_NOT_YET_VALID');
    expect(await code(verifier({ clockToleranceSec: 0 }), await sign({ exp: NOW }))).toBe(
      'ERR_TOKEN_EXPIRED',
    );
  });

  it('checks in the documented order when a token is wrong in several ways', async () => {
    const v = verifier();
    const everything = { iss: 'https://evil.example', aud: 'other', exp: NOW - 3600, sub: undefined };
    expect(await code(v, await sign(everything))).toBe('ERR_TOKEN_ISSUER');
    expect(await code(v, await sign({ ...everything, iss: ISSUER }))).toBe('ERR_TOKEN_AUDIENCE');
    expect(await code(v, await sign({ ...everything, iss: ISSUER, aud: ['x', 'regate'] }))).toBe(
      'ERR_TOKEN_EXPIRED',
    );
    expect(await code(v, await sign({ ...everything, iss: ISSUER, aud: 'regate', exp: NOW + 60 }))).toBe(
      'ERR_TOKEN_CLAIMS',
    );
    // The alg comes before the key, and the key before the signature.
    const foreign = await key('ES256', 'es');
    expect(
      await code(
        v,
        await sign(everything, { alg: 'ES384', kid: 'es' }, (await key('ES384', 'x')).privateKey),
      ),
    ).toBe('ERR_TOKEN_KEY_UNKNOWN');
    expect(await code(verifier({ algorithms: ['EdDSA'] }), await sign(everything))).toBe(
      'ERR_TOKEN_ALGORITHM',
    );
    expect(await code(v, await sign(everything, { alg: 'ES256', kid: 'es' }, foreign.privateKey))).toBe(
      'ERR_TOKEN_SIGNATURE',
    );
  });

  it('refuses a sender-constrained token (cnf) presented as a bearer token', async () => {
    expect(await code(verifier(), await sign({ cnf: { jkt: 'abc' } }))).toBe('ERR_TOKEN_CLAIMS');
  });

  it('tries each key when the token has no kid and several keys fit', async () => {
    const second = await key('ES256', 'es2');
    const v = verifier({}, [
      { ...es.publicJwk, kid: undefined } as unknown as JWK,
      { ...second.publicJwk, kid: undefined } as unknown as JWK,
    ]);
    expect(await code(v, await sign({}, { alg: 'ES256' }, second.privateKey))).toBe('accepted');
    expect(await code(v, await sign({}, { alg: 'ES256' }, (await key('ES256', 'z')).privateKey))).toBe(
      'ERR_TOKEN_SIGNATURE',
    );
  });

  it('refuses a signed token when its payload is not a JSON object', async () => {
    const { CompactSign } = await import('jose');
    const v = verifier();
    for (const payload of ['[1,2]', 'null', 'not json'])
      expect(
        await code(
          v,
          await new CompactSign(new TextEncoder().encode(payload))
            .setProtectedHeader({ alg: 'ES256', kid: 'es' })
            .sign(es.privateKey),
        ),
      ).toBe('ERR_TOKEN_MALFORMED');
  });

  it('refuses encrypted (JWE) and unknown-critical-header tokens as malformed', async () => {
    const v = verifier();
    expect(await code(v, 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn')).toBe(
      'ERR_TOKEN_MALFORMED',
    );
    // jose will not sign with an unknown critical header, so this one is signed by hand.
    const input = `${b64({ alg: 'ES256', kid: 'es', crit: ['x-unknown'], 'x-unknown': 1 })}.${b64({ iss: ISSUER, aud: 'regate', sub: 'a', exp: NOW + 60 })}`;
    const sig = cryptoSign('sha256', Buffer.from(input), {
      key: KeyObject.from(es.privateKey),
      dsaEncoding: 'ieee-p1363',
    });
    const crit = `${input}.${sig.toString('base64url')}`;
    expect(await code(v, crit)).toBe('ERR_TOKEN_MALFORMED');
  });

  it('refuses to be built over private or symmetric keys', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    expect(() => verifier({}, [{ ...(JSON.parse('{}') as JWK), ...{ kty: 'oct', k: 'c2VjcmV0' } }])).toThrow(
      IdentityError,
    );
    const priv = await exportJWK(privateKey);
    expect(() => verifier({}, [priv])).toThrow(/public keys only/);
  });

  it('maps the claims the configuration names, including the type claim', async () => {
    const v = verifier({
      claims: { subject: 'preferred_username', groups: 'realm_access.roles', type: 'kind' },
    });
    const token = await sign({
      preferred_username: 'svc-ci',
      realm_access: { roles: ['deploy'] },
      kind: 'agent',
    });
    expect(await v.verify(token)).toMatchObject({ subject: 'svc-ci', groups: ['deploy'], type: 'agent' });
    expect(await code(v, await sign({ preferred_username: 'x', kind: 'admin' }))).toBe('ERR_TOKEN_CLAIMS');
  });
});
