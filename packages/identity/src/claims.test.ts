import { describe, expect, it } from 'vitest';
import { claimAt, identityFromClaims, MAX_CLAIM_LENGTH, MAX_GROUPS } from './claims.js';
import { type ClaimsMapping, resolveIdentityConfig } from './config.js';
import { IdentityError } from './errors.js';

const base = resolveIdentityConfig({ issuer: 'https://idp.example.com', audience: 'regate' });
const withClaims = (claims: ClaimsMapping, defaultType?: 'service') =>
  resolveIdentityConfig({
    issuer: 'https://idp.example.com',
    audience: 'regate',
    claims,
    ...(defaultType ? { defaultType } : {}),
  });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    expect((err as IdentityError).code).toBe('ERR_TOKEN_CLAIMS');
    return (err as IdentityError).message;
  }
  throw new Error('expected ERR_TOKEN_CLAIMS');
}

describe('claimAt', () => {
  it('reads a claim of that exact name before walking a dot path', () => {
    const claims = {
      'https://example.com/groups': ['a'],
      realm_access: { roles: ['b'] },
      'x.y': 1,
      x: { y: 2 },
    };
    expect(claimAt(claims, 'https://example.com/groups')).toEqual(['a']);
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['b']);
    expect(claimAt(claims, 'x.y')).toBe(1);
    expect(claimAt(claims, 'realm_access.missing')).toBeUndefined();
  });

  it('never reads inherited properties when a path names them', () => {
    expect(claimAt({}, 'constructor')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.__proto__')).toBeUndefined();
    expect(claimAt({ a: [1] }, 'a.length')).toBeUndefined();
  });
});

describe('identityFromClaims', () => {
  it('maps sub, email, groups and iss with the default type when the token names no type', () => {
    expect(
      identityFromClaims(
        { sub: 'alice', email: 'a@x.io', groups: ['dba', 'ops', 'dba'], iss: 'https://i' },
        base,
      ),
    ).toEqual({
      subject: 'alice',
      email: 'a@x.io',
      groups: ['dba', 'ops'],
      issuer: 'https://i',
      type: 'user',
    });
    expect(identityFromClaims({ sub: 'bot' }, withClaims({}, 'service')).type).toBe('service');
  });

  it('takes one string as one group and any other type as no groups', () => {
    expect(identityFromClaims({ sub: 'a', groups: 'dba' }, base).groups).toEqual(['dba']);
    for (const groups of [42, { dba: true }, null, true])
      expect(identityFromClaims({ sub: 'a', groups }, base).groups).toEqual([]);
  });

  it('refuses groups when one is not a string, empty or too long, or when there are too many', () => {
    refusal(() => identityFromClaims({ sub: 'a', groups: ['dba', 7] }, base));
    refusal(() => identityFromClaims({ sub: 'a', groups: [''] }, base));
    refusal(() => identityFromClaims({ sub: 'a', groups: ['g'.repeat(MAX_CLAIM_LENGTH + 1)] }, base));
    expect(
      refusal(() =>
        identityFromClaims(
          { sub: 'a', groups: Array.from({ length: MAX_GROUPS + 1 }, (_, i) => `g${i}`) },
          base,
        ),
      ),
    ).toContain(`at most ${MAX_GROUPS}`);
  });

  it('refuses a subject when it is missing, empty, not a string or too long', () => {
    expect(refusal(() => identityFromClaims({}, base))).toContain("claim 'sub' is missing");
    refusal(() => identityFromClaims({ sub: '' }, base));
    refusal(() => identityFromClaims({ sub: 42 }, base));
    refusal(() => identityFromClaims({ sub: 's'.repeat(MAX_CLAIM_LENGTH + 1) }, base));
  });

  it('uses the subject fallback only when the subject claim is absent', () => {
    expect(
      identityFromClaims({ client_id: 'svc' }, base, { from: 'x', subjectFallback: 'svc' }).subject,
    ).toBe('svc');
    expect(identityFromClaims({ sub: 'alice' }, base, { from: 'x', subjectFallback: 'svc' }).subject).toBe(
      'alice',
    );
  });

  it('refuses an email when it is not a string, and leaves an empty one out', () => {
    refusal(() => identityFromClaims({ sub: 'a', email: ['a@x.io'] }, base));
    refusal(() => identityFromClaims({ sub: 'a', email: `${'a'.repeat(320)}@x.io` }, base));
    expect(identityFromClaims({ sub: 'a', email: '' }, base)).not.toHaveProperty('email');
  });

  it('reads the type from the configured claim and refuses values other than user, service, agent', () => {
    const cfg = withClaims({ type: 'kind' });
    expect(identityFromClaims({ sub: 'a', kind: 'agent' }, cfg).type).toBe('agent');
    expect(identityFromClaims({ sub: 'a' }, cfg).type).toBe('user');
    expect(refusal(() => identityFromClaims({ sub: 'a', kind: 'root' }, cfg))).toContain(
      'user, service, agent',
    );
    // Without a configured type claim, a claim named like one is ignored.
    expect(identityFromClaims({ sub: 'a', kind: 'agent' }, base).type).toBe('user');
  });

  it('reads claims from the configured names', () => {
    const cfg = withClaims({ subject: 'oid', email: 'upn', groups: 'roles' });
    expect(
      identityFromClaims({ oid: 'o-1', upn: 'u@x.io', roles: ['r'], sub: 'ignored' }, cfg),
    ).toMatchObject({
      subject: 'o-1',
      email: 'u@x.io',
      groups: ['r'],
    });
  });
});
