import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, GATEWAY_ERROR_CODES, GatewayStartError } from './errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('GATEWAY_ERROR_CODES', () => {
  it('has every code documented in the README table with the same meaning, and no undocumented one', () => {
    const documented = new Map(
      [...readme.matchAll(/^\| `(ERR_[A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]),
    );
    expect([...documented.keys()].sort()).toEqual(Object.keys(GATEWAY_ERROR_CODES).sort());
    for (const [code, meaning] of Object.entries(GATEWAY_ERROR_CODES))
      expect(documented.get(code)).toBe(meaning);
  });

  it('gives each error its code and name so callers can switch on it', () => {
    const err = new GatewayStartError('ERR_GATEWAY_LISTEN', 'port in use');
    expect(err.code).toBe('ERR_GATEWAY_LISTEN');
    expect(err.name).toBe('GatewayStartError');
    const config = new ConfigError(
      'ERR_CONFIG_INVALID',
      [{ path: 'targets[0].url', message: 'bad' }],
      '/x.yaml',
    );
    expect(config.message).toBe('/x.yaml has a problem:\n  targets[0].url: bad');
    expect(config.problems).toEqual([{ path: 'targets[0].url', message: 'bad' }]);
  });
});
