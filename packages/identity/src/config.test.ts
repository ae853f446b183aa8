import { describe, expect, it } from 'vitest';
import { DEFAULT_ALGORITHMS, type IdentityConfig, resolveIdentityConfig } from './config.js';
import { IdentityError } from './errors.js';

function configError(config: Partial<IdentityConfig>): string {
  try {
    resolveIdentityConfig({
      issuer: 'https://idp.example.com',
      audience: 'regate',
      ...config,
    } as IdentityConfig);
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    expect((err as IdentityError).code).toBe('ERR_IDENTITY_CONFIG');
    return (err as IdentityError).message;
  }
  throw new Error('expected ERR_IDENTITY_CONFIG');
}

describe('resolveIdentityConfig', () => {
  it('fills in the defaults when only issuer and audience are given', () => {
    expect(resolveIdentityConfig({ issuer: 'https://idp.example.com', audience: 'regate' })).toEqual({
      issuer: 'https://idp.example.com',
      audience: 'regate',
      algorithms: [...DEFAULT_ALGORITHMS],
      clockToleranceSec: 30,
      claims: { subject: 'sub', email: 'email', groups: 'groups', type: undefined },
      defaultType: 'user',
      introspection: undefined,
      allowInsecureHttp: false,
      timeoutSec: 5,
    });
  });

  it('allows http:// only for loopback hosts, or when allowInsecureHttp says so', () => {
    for (const issuer of ['http://127.0.0.1:8081/dev-issuer', 'http://localhost:9000', 'http://[::1]:9000'])
      expect(resolveIdentityConfig({ issuer, audience: 'regate' }).allowInsecureHttp).toBe(true);
    expect(configError({ issuer: 'http://idp.internal' })).toContain('allowInsecureHttp');
    expect(configError({ issuer: 'http://127.0.0.1:8081', allowInsecureHttp: false })).toContain('http://');
    expect(
      resolveIdentityConfig({ issuer: 'http://idp.internal', audience: 'a', allowInsecureHttp: true }).issuer,
    ).toBe('http://idp.internal');
  });

  it('refuses an issuer when it is not an http(s) URL or carries a query, fragment or credentials', () => {
    configError({ issuer: '' });
    configError({ issuer: 'idp.example.com' });
    configError({ issuer: 'ftp://idp.example.com' });
    configError({ issuer: 'https://idp.example.com/?tenant=1' });
    configError({ issuer: 'https://idp.example.com/#x' });
    configError({ issuer: 'https://user:pw@idp.example.com' });
  });

  it('refuses none, HS* and unknown algorithms in the allowlist', () => {
    expect(configError({ algorithms: ['RS256', 'none'] })).toContain('never accepted');
    expect(configError({ algorithms: ['HS256'] })).toContain('shared-secret');
    expect(configError({ algorithms: ['RS1'] })).toContain('not a supported algorithm');
    configError({ algorithms: [] });
  });

  it('refuses an empty audience, bad numbers, empty claim names, an unknown type and half an introspection client', () => {
    configError({ audience: '' });
    configError({ clockToleranceSec: -1 });
    configError({ clockToleranceSec: Number.NaN });
    configError({ timeoutSec: 0 });
    configError({ claims: { groups: '' } });
    configError({ defaultType: 'robot' as never });
    configError({ introspection: { clientId: 'gw', clientSecret: '' } });
    configError({
      introspection: { clientId: 'gw', clientSecret: 's', authMethod: 'private_key_jwt' as never },
    });
  });
});
