import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HTTP_ERRORS, HttpAdapterError } from './errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('HTTP_ERRORS', () => {
  it('has every code documented in the README table with the same status and meaning, and no undocumented one', () => {
    const documented = new Map(
      [...readme.matchAll(/^\| `(ERR_HTTP_[A-Z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map((m) => [
        m[1],
        [Number(m[2]), m[3]],
      ]),
    );
    expect([...documented.keys()].sort()).toEqual(Object.keys(HTTP_ERRORS).sort());
    for (const [code, { status, meaning }] of Object.entries(HTTP_ERRORS)) {
      expect(documented.get(code), code).toEqual([status, meaning]);
    }
  });

  it('gives each error its code, name and status so callers can switch on it', () => {
    const err = new HttpAdapterError('ERR_HTTP_NO_ROUTE', 'no route');
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('ERR_HTTP_NO_ROUTE');
    expect(err.name).toBe('HttpAdapterError');
    expect(err.status).toBe(404);
  });
});
