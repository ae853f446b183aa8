import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ERROR_CODES, AuditError } from './errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('AUDIT_ERROR_CODES', () => {
  it('has every code documented in the README table with the same meaning, and no undocumented one', () => {
    const documented = new Map(
      [...readme.matchAll(/^\| `(ERR_AUDIT_[A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]),
    );
    expect([...documented.keys()].sort()).toEqual(Object.keys(AUDIT_ERROR_CODES).sort());
    for (const [code, meaning] of Object.entries(AUDIT_ERROR_CODES))
      expect(documented.get(code)).toBe(meaning);
  });

  it('gives each error its code and name so callers can switch on it', () => {
    const err = new AuditError('ERR_AUDIT_CLOSED', 'closed');
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('ERR_AUDIT_CLOSED');
    expect(err.name).toBe('AuditError');
  });
});
