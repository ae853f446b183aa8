import { readFileSync } from 'node:fs';
import type { AuthenticationFailure } from '@regate/action';
import { describe, expect, it } from 'vitest';
import { IDENTITY_ERROR_CODES, IdentityError } from './errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('IDENTITY_ERROR_CODES', () => {
  it('has every code documented in the README table with the same meaning, and no undocumented one', () => {
    const documented = new Map(
      [...readme.matchAll(/^\| `(ERR_[A-Z_]+)` \| (.+) \|$/gm)].map((m) => [
        m[1],
        m[2]?.replace(/\\\|/g, '|'),
      ]),
    );
    expect([...documented.keys()].sort()).toEqual(Object.keys(IDENTITY_ERROR_CODES).sort());
    for (const [code, meaning] of Object.entries(IDENTITY_ERROR_CODES))
      expect(documented.get(code)).toBe(meaning);
  });

  it('gives each error its code and name so callers can switch on it', () => {
    const err = new IdentityError('ERR_TOKEN_EXPIRED', 'expired');
    // What AdapterContext.authenticate rejects with: checked by the compiler.
    const failure: AuthenticationFailure = err;
    expect(failure).toBeInstanceOf(Error);
    expect(err.code).toBe('ERR_TOKEN_EXPIRED');
    expect(err.name).toBe('IdentityError');
  });
});
